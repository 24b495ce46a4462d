using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sluice.Core.Proxy;

/// <summary>
/// The PROXY protocol (HAProxy's spec, versions 1 and 2): how a TCP proxy tells the server behind
/// it who the client really is. A header comes first on the connection, before any SMTP.
/// </summary>
public static class ProxyProtocol
{
    /// <summary>Spec §2.1: a v1 line is at most 107 bytes with its CRLF.</summary>
    public const int MaxV1Length = 107;

    /// <summary>16 fixed bytes, then up to 216 bytes of addresses for the families we read (spec §2.2: 536 bytes in all is enough).</summary>
    public const int MaxV2Length = 536;

    private const int V2FixedLength = 16;

    /// <summary>Spec §2.2: the v2 signature.</summary>
    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    /// <summary>Reads one header (v1 or v2) from the start of <paramref name="data"/>; <paramref name="consumed"/> is its length.</summary>
    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> data, out ProxyHeader? header, out int consumed)
    {
        header = null;
        consumed = 0;
        if (data.IsEmpty)
        {
            return ProxyParseStatus.NeedMore;
        }

        if (data[0] == V2Signature[0])
        {
            var n = Math.Min(data.Length, V2Signature.Length);
            if (!data[..n].SequenceEqual(V2Signature[..n]))
            {
                return ProxyParseStatus.Invalid;
            }

            return data.Length < V2FixedLength ? ProxyParseStatus.NeedMore : ParseV2(data, out header, out consumed);
        }

        var prefix = Math.Min(data.Length, V1Prefix.Length);
        if (!data[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            return ProxyParseStatus.Invalid;
        }

        var end = data.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return data.Length >= MaxV1Length ? ProxyParseStatus.Invalid : ProxyParseStatus.NeedMore;
        }

        consumed = end + 2;
        return consumed <= MaxV1Length && ParseV1(Encoding.ASCII.GetString(data[..end]), out header) ? ProxyParseStatus.Done : ProxyParseStatus.Invalid;
    }

    /// <summary>A v2 header for a proxied TCP connection from <paramref name="source"/> to <paramref name="destination"/> (both one family).</summary>
    public static byte[] WriteV2(IPEndPoint source, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var (src, dst) = SameFamily(source, destination);
        var v6 = src.AddressFamily == AddressFamily.InterNetworkV6;
        var addressLength = v6 ? 36 : 12;
        var bytes = new byte[V2FixedLength + addressLength];
        V2Signature.CopyTo(bytes);
        bytes[12] = 0x21; // version 2, PROXY
        bytes[13] = v6 ? (byte)0x21 : (byte)0x11; // TCP over IPv6 / IPv4
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(14), (ushort)addressLength);
        var span = bytes.AsSpan(V2FixedLength);
        var size = v6 ? 16 : 4;
        src.Address.TryWriteBytes(span, out _);
        dst.Address.TryWriteBytes(span[size..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(span[(2 * size)..], (ushort)src.Port);
        BinaryPrimitives.WriteUInt16BigEndian(span[((2 * size) + 2)..], (ushort)dst.Port);
        return bytes;
    }

    /// <summary>A v2 LOCAL header: the proxy's own connection (health checks); the server uses the real peer address.</summary>
    public static byte[] WriteV2Local()
    {
        var bytes = new byte[V2FixedLength];
        V2Signature.CopyTo(bytes);
        bytes[12] = 0x20; // version 2, LOCAL
        return bytes;
    }

    /// <summary>A v1 line ("PROXY TCP4 src dst sport dport\r\n").</summary>
    public static byte[] WriteV1(IPEndPoint source, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var (src, dst) = SameFamily(source, destination);
        var family = src.AddressFamily == AddressFamily.InterNetworkV6 ? "TCP6" : "TCP4";
        return Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"PROXY {family} {src.Address} {dst.Address} {src.Port} {dst.Port}\r\n"));
    }

    private static (IPEndPoint, IPEndPoint) SameFamily(IPEndPoint source, IPEndPoint destination)
    {
        var src = Normalize(source);
        var dst = Normalize(destination);
        if (src.AddressFamily != dst.AddressFamily)
        {
            // A v4 client through a v6 listener (or the reverse): say both in IPv6.
            src = new IPEndPoint(src.Address.MapToIPv6(), src.Port);
            dst = new IPEndPoint(dst.Address.MapToIPv6(), dst.Port);
        }

        return (src, dst);
    }

    private static IPEndPoint Normalize(IPEndPoint endpoint)
        => endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;

    private static ProxyParseStatus ParseV2(ReadOnlySpan<byte> data, out ProxyHeader? header, out int consumed)
    {
        header = null;
        consumed = 0;
        var versionCommand = data[12];
        var length = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (versionCommand >> 4 != 2 || V2FixedLength + length > MaxV2Length)
        {
            return ProxyParseStatus.Invalid;
        }

        if (data.Length < V2FixedLength + length)
        {
            return ProxyParseStatus.NeedMore;
        }

        consumed = V2FixedLength + length;
        var body = data.Slice(V2FixedLength, length);
        switch (versionCommand & 0x0F)
        {
            case 0x0:
                // LOCAL: the proxy speaking for itself; addresses, if any, are ignored (spec §2.2).
                header = ProxyHeader.Local;
                return ProxyParseStatus.Done;
            case 0x1:
                break;
            default:
                return ProxyParseStatus.Invalid;
        }

        switch (data[13])
        {
            case 0x11 when length >= 12:
                header = new ProxyHeader(
                    new IPEndPoint(new IPAddress(body[..4]), BinaryPrimitives.ReadUInt16BigEndian(body[8..])),
                    new IPEndPoint(new IPAddress(body[4..8]), BinaryPrimitives.ReadUInt16BigEndian(body[10..])));
                return ProxyParseStatus.Done;
            case 0x21 when length >= 36:
                header = new ProxyHeader(
                    new IPEndPoint(new IPAddress(body[..16]), BinaryPrimitives.ReadUInt16BigEndian(body[32..])),
                    new IPEndPoint(new IPAddress(body[16..32]), BinaryPrimitives.ReadUInt16BigEndian(body[34..])));
                return ProxyParseStatus.Done;
            case 0x00:
                // UNSPEC: the proxy does not know; use the real peer address.
                header = ProxyHeader.Local;
                return ProxyParseStatus.Done;
            default:
                return ProxyParseStatus.Invalid;
        }
    }

    private static bool ParseV1(string line, out ProxyHeader? header)
    {
        header = null;
        var parts = line.Split(' ');
        if (parts.Length >= 2 && parts[0] == "PROXY" && parts[1] == "UNKNOWN")
        {
            header = ProxyHeader.Local;
            return true;
        }

        if (parts.Length != 6 || parts[0] != "PROXY" || (parts[1] != "TCP4" && parts[1] != "TCP6")
            || !IPAddress.TryParse(parts[2], out var src) || !IPAddress.TryParse(parts[3], out var dst)
            || !ushort.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var sport)
            || !ushort.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var dport)
            || (src.AddressFamily == AddressFamily.InterNetwork) != (parts[1] == "TCP4")
            || src.AddressFamily != dst.AddressFamily)
        {
            return false;
        }

        header = new ProxyHeader(new IPEndPoint(src, sport), new IPEndPoint(dst, dport));
        return true;
    }
}
