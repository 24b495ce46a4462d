using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sluice.Balance.Native;

/// <summary>struct sockaddr_in / sockaddr_in6 to and from <see cref="IPEndPoint"/> (Linux layout: family in host order, port and address in network order).</summary>
internal static class SocketAddresses
{
    /// <summary>Room for either family (sockaddr_in6 is 28 bytes).</summary>
    public const int MaxLength = 28;

    /// <summary>Writes <paramref name="endpoint"/> into <paramref name="destination"/>; returns its length.</summary>
    public static int Write(IPEndPoint endpoint, Span<byte> destination)
    {
        destination[..MaxLength].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)endpoint.Port);
        if (endpoint.AddressFamily == AddressFamily.InterNetwork)
        {
            BitConverter.TryWriteBytes(destination, (ushort)LinuxSockets.AfInet);
            endpoint.Address.TryWriteBytes(destination[4..8], out _);
            return 16;
        }

        BitConverter.TryWriteBytes(destination, (ushort)LinuxSockets.AfInet6);
        endpoint.Address.TryWriteBytes(destination[8..24], out _);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], (uint)endpoint.Address.ScopeId);
        return MaxLength;
    }

    /// <summary>The endpoint in <paramref name="source"/>, or null for a family other than IPv4/IPv6.</summary>
    public static IPEndPoint? Read(ReadOnlySpan<byte> source)
    {
        var family = BitConverter.ToUInt16(source);
        var port = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
        return family switch
        {
            LinuxSockets.AfInet => new IPEndPoint(new IPAddress(source[4..8]), port),
            LinuxSockets.AfInet6 => new IPEndPoint(new IPAddress(source[8..24], BinaryPrimitives.ReadUInt32LittleEndian(source[24..])), port),
            _ => null,
        };
    }
}
