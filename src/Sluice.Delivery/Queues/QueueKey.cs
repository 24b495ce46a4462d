using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

/// <summary>
/// What a ready queue is for: a site (the MX set a domain resolves to, a relay host, or a pool
/// member), the egress source, the recipient domain when it has shaping of its own, and a TLS
/// policy when it differs from the default (a connection made under a weaker policy is never
/// reused for a stricter one). Each key has its own connections, window, limits and rest.
/// </summary>
public readonly record struct QueueKey(string Site, string? Source = null, string? Domain = null, TlsPolicy? Tls = null)
{
    /// <summary>The one written form, for the API, logs, metrics and hold keys (not for lookups: the key itself is the lookup).</summary>
    public override string ToString()
    {
        var text = Site;
        if (Domain is not null)
        {
            text = string.Concat(text, "|@", Domain);
        }

        if (Source is not null)
        {
            text = string.Concat(text, "|", Source);
        }

        return Tls is { } tls ? string.Concat(text, "|tls=", tls.ToString()) : text;
    }
}
