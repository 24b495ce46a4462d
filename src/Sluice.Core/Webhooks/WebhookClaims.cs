namespace Sluice.Core.Webhooks;

/// <summary>Claims that need no database: a single node posts every webhook.</summary>
public static class WebhookClaims
{
    public static readonly IWebhookClaim Always = new AlwaysHeld();

    private sealed class AlwaysHeld : IWebhookClaim
    {
        public Task<bool> HeldAsync(CancellationToken cancellationToken) => Task.FromResult(true);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
