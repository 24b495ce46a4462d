namespace Sluice.Delivery.MtaSts;

/// <summary>The <c>Delivery:MtaSts</c> section: honouring recipient domains' MTA-STS policies (RFC 8461).</summary>
public sealed class MtaStsOptions
{
    /// <summary>Look policies up and enforce those in enforce mode.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The port policies are fetched from (RFC 8461 §3.3: HTTPS, 443); another only for tests.</summary>
    public int HttpsPort { get; set; } = 443;

    /// <summary>How long a policy fetch may take.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(15);
}
