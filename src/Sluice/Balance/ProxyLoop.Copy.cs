using System.Buffers;
using static Sluice.Balance.Native.LinuxSockets;

namespace Sluice.Balance;

/// <summary>Copying one direction of a connection: read what epoll reported, write it on, keep what the peer could not take yet.</summary>
internal sealed unsafe partial class ProxyLoop
{
    /// <summary>
    /// Moves bytes for <paramref name="half"/> until its source has nothing more (a short read:
    /// edge-triggered epoll reports the next arrival), its destination is full (epoll reports when
    /// it drains), or its source ended, which is passed on as a shutdown of the destination.
    /// A source that reported hang-up or error (which may come with the last data and no further
    /// edge) is read on to its end.
    /// </summary>
    private void Pump(ProxiedConnection connection, ProxyHalf half)
    {
        if (connection.Finished)
        {
            return;
        }

        var toNode = ReferenceEquals(half, connection.ToNode);
        var from = toNode ? connection.ClientFd : connection.NodeFd;
        var to = toNode ? connection.NodeFd : connection.ClientFd;
        if (half.PendingLength > 0 && !Flush(connection, half, to))
        {
            return;
        }

        while (!half.Ended)
        {
            var read = Recv(from, _scratch, ScratchSize, 0);
            if (read > 0)
            {
                var sent = Send(to, _scratch, read, MsgNosignal);
                if (sent == read)
                {
                    if (read < ScratchSize && !half.SourceEnding)
                    {
                        break;
                    }

                    continue;
                }

                if (sent < 0)
                {
                    if (Errno != EAgain)
                    {
                        Finish(connection);
                        return;
                    }

                    sent = 0;
                }

                // The destination is full: keep the rest and stop reading until it drains.
                Keep(half, new ReadOnlySpan<byte>(_scratch + sent, (int)(read - sent)), (int)(read - sent));
                return;
            }

            if (read == 0)
            {
                half.Ended = true;
                break;
            }

            var errno = Errno;
            if (errno == EIntr)
            {
                continue;
            }

            if (errno == EAgain)
            {
                break;
            }

            // Reset by the peer: the whole connection is over.
            Finish(connection);
            return;
        }

        if (half.Ended && !half.Closed)
        {
            _ = Shutdown(to, ShutWr);
            half.Closed = true;
            var other = toNode ? connection.ToClient : connection.ToNode;
            if (other.Closed)
            {
                Finish(connection);
            }
            else
            {
                // QUIT answered and one side gone: the other gets CloseTimeout to follow.
                connection.Deadline = After(_options.CloseTimeout);
            }
        }
    }

    /// <summary>Writes what <paramref name="half"/> kept; false while some is still left (or the connection failed).</summary>
    private bool Flush(ProxiedConnection connection, ProxyHalf half, int to)
    {
        nint sent;
        fixed (byte* pending = half.Pending)
        {
            sent = Send(to, pending + half.PendingOffset, half.PendingLength, MsgNosignal);
        }

        if (sent < 0)
        {
            if (Errno != EAgain)
            {
                Finish(connection);
            }

            return false;
        }

        half.PendingOffset += (int)sent;
        half.PendingLength -= (int)sent;
        if (half.PendingLength > 0)
        {
            return false;
        }

        Release(half);
        return true;
    }

    private static void Keep(ProxyHalf half, ReadOnlySpan<byte> bytes, int length)
    {
        var pending = ArrayPool<byte>.Shared.Rent(length);
        bytes[..length].CopyTo(pending);
        half.Pending = pending;
        half.PendingOffset = 0;
        half.PendingLength = length;
    }
}
