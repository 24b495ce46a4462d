namespace Sluice.Delivery.Dns;

/// <summary>The <c>Delivery:Dns</c> section.</summary>
public sealed class DnsOptions
{
    /// <summary>Resolvers as ADDRESS[:PORT]; empty uses the machine's resolvers.</summary>
    public List<string> Servers { get; set; } = [];

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    public int Retries { get; set; } = 2;

    /// <summary>Positive answers are kept for their TTL, but at least this long…</summary>
    public TimeSpan MinTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>…and at most this long.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(6);

    /// <summary>NXDOMAIN/no-data answers without an SOA minimum (RFC 2308) are kept this long.</summary>
    public TimeSpan NegativeTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Temporary failures are kept this long so a dead resolver is not hammered.</summary>
    public TimeSpan FailureTtl { get; set; } = TimeSpan.FromSeconds(30);
}
