using System.Globalization;
using System.Net;

namespace Sluice.Core.Net;

/// <summary>
/// A host and a port as operators write them — <c>HOST:PORT</c>, <c>ADDRESS:PORT</c>,
/// <c>[IPv6]:PORT</c>, or (where a default port applies) just <c>HOST</c> — parsed in one place
/// for relay hosts, pool members and balancer nodes alike.
/// </summary>
public readonly record struct HostPort(string Host, int Port)
{
    /// <summary>The host as an IP address when it is one (no resolver needed), else null.</summary>
    public IPAddress? Address => IPAddress.TryParse(Host, out var address) ? address : null;

    /// <summary>
    /// Parses <paramref name="text"/>. A port must be 1–65535; without one, <paramref name="defaultPort"/>
    /// applies, or (null) the text is refused. An IPv6 address needs brackets when a port follows.
    /// A host name must be a valid DNS name.
    /// </summary>
    public static bool TryParse(string? text, int? defaultPort, out HostPort value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(text.AsSpan(1, close - 1), out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }

            var rest = text.AsSpan(close + 1);
            if (rest.IsEmpty && defaultPort is { } v6Default)
            {
                value = new HostPort(v6.ToString(), v6Default);
                return true;
            }

            if (rest.Length < 2 || rest[0] != ':' || !TryPort(rest[1..], out var v6Port))
            {
                return false;
            }

            value = new HostPort(v6.ToString(), v6Port);
            return true;
        }

        var colon = text.LastIndexOf(':');
        if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
        {
            // Two colons and no brackets: a bare IPv6 address (only valid without a port).
            if (defaultPort is { } bareDefault && IPAddress.TryParse(text, out var bare))
            {
                value = new HostPort(bare.ToString(), bareDefault);
                return true;
            }

            return false;
        }

        var host = colon < 0 ? text : text[..colon];
        int port;
        if (colon < 0)
        {
            if (defaultPort is not { } fallback)
            {
                return false;
            }

            port = fallback;
        }
        else if (!TryPort(text.AsSpan(colon + 1), out port))
        {
            return false;
        }

        if (Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
        {
            return false;
        }

        value = new HostPort(host, port);
        return true;
    }

    public override string ToString()
        => Address is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 }
            ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    private static bool TryPort(ReadOnlySpan<char> digits, out int port)
        => int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;
}
