namespace Sluice.Webhooks;

/// <summary>The <c>Webhooks</c> section: how events are posted to subscribed endpoints (the endpoints themselves are managed by API and CLI).</summary>
public sealed class WebhookOptions
{
    /// <summary>Most events in one post.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>How long one post may take before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after the first failure; doubled after each further one (with ±20 % jitter).</summary>
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between two tries.</summary>
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Tries of one batch before it goes to the dead letters (from which it can be replayed).</summary>
    public int MaxAttempts { get; set; } = 10;
}
