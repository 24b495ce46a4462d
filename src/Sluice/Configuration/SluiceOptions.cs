using Sluice.Server.Configuration;
using Sluice.Storage;

namespace Sluice.Configuration;

/// <summary>The whole host configuration, bound from defaults, the JSON file, SLUICE__ variables and flags, in that order.</summary>
public sealed class SluiceOptions
{
    public NodeOptions Node { get; set; } = new();

    public HttpOptions Http { get; set; } = new();

    public SmtpServerOptions Smtp { get; set; } = new();

    public SpoolOptions Spool { get; set; } = new();

    public Delivery.Dispatch.DeliveryOptions Delivery { get; set; } = new();

    public Logging.LoggingOptions Logging { get; set; } = new();

    public Webhooks.WebhookOptions Webhooks { get; set; } = new();

    public Telemetry.MetricsOptions Metrics { get; set; } = new();

    public Delivery.Feedback.FeedbackOptions Feedback { get; set; } = new();

    public Delivery.Reputation.ReputationOptions Reputation { get; set; } = new();

    public Unsubscribe.UnsubscribeOptions Unsubscribe { get; set; } = new();

    public Delivery.Dkim.DkimOptions Dkim { get; set; } = new();

    public ClusterOptions Cluster { get; set; } = new();
}
