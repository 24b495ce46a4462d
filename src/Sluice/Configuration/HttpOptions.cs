namespace Sluice.Configuration;

/// <summary>The <c>Http</c> section.</summary>
public sealed class HttpOptions
{
    public string Address { get; set; } = "127.0.0.1:8025";

    /// <summary>Requests per second per API key unless the key says otherwise (token bucket, bursts of twice as many).</summary>
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Largest message the sending API takes, as built (attachments decoded): over it, 413.</summary>
    public long MaxMessageSize { get; set; } = 35L * 1024 * 1024;

    /// <summary>
    /// Networks (CIDR) whose clients read <c>/metrics</c> without an API key, so Prometheus scrapes
    /// without a secret; others need a key with the read scope. Unset: loopback only; empty: none.
    /// </summary>
    public List<string> MetricsNetworks { get; set; } = [];
}
