using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sluice.Core.Net;

/// <summary>What the kernel knows of a TCP connection (Linux's TCP_INFO), read without a copy of the stream.</summary>
public static class TcpInfo
{
    // IPPROTO_TCP, TCP_INFO, and the offset of tcpi_unacked in struct tcp_info (linux/tcp.h):
    // eight one-byte fields, then u32 rto, ato, snd_mss, rcv_mss, unacked.
    private const int IpProtoTcp = 6;
    private const int TcpInfoOption = 11;
    private const int UnackedOffset = 24;

    /// <summary>
    /// Segments sent on <paramref name="socket"/> that the peer has not acknowledged yet; false
    /// where the kernel cannot say (not Linux, or the socket is closed).
    /// </summary>
    public static bool TryGetUnacked(Socket socket, out uint unacked)
    {
        ArgumentNullException.ThrowIfNull(socket);
        unacked = 0;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        Span<byte> info = stackalloc byte[104];
        try
        {
            if (socket.GetRawSocketOption(IpProtoTcp, TcpInfoOption, info) < UnackedOffset + 4)
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }

        unacked = MemoryMarshal.Read<uint>(info[UnackedOffset..]);
        return true;
    }
}
