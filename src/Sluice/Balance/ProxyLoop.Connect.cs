using System.Net;
using Sluice.Balance.Native;
using Sluice.Core.Balancing;
using static Sluice.Balance.Native.LinuxSockets;

namespace Sluice.Balance;

/// <summary>
/// Connecting to a node: non-blocking connects whose end epoll reports on the loop thread, each of
/// a name's addresses in turn, all within ConnectTimeout.
/// </summary>
internal sealed unsafe partial class ProxyLoop
{
    /// <summary>The failover loop's try of one member: completes (on the loop thread) with the node's socket or the member's fault.</summary>
    private Task<MemberTry<int>> BeginConnect(ProxiedConnection connection, BalancerMember member)
    {
        var attempt = new TaskCompletionSource<MemberTry<int>>();
        // Validated at load (BalancerPoolSet.IsHostAndPort): it parses.
        Core.Net.HostPort.TryParse(member.Address, null, out var target);
        if (target.Address is { } ip)
        {
            // Nodes are usually addresses: no resolver on the way of every connection.
            RunOnLoop(() => StartConnect(connection, [new IPEndPoint(ip, target.Port)], attempt));
        }
        else
        {
            _ = Dns.GetHostAddressesAsync(target.Host).ContinueWith(
                resolved => Post(() =>
                {
                    if (resolved.IsCompletedSuccessfully && resolved.Result.Length > 0)
                    {
                        StartConnect(connection, Array.ConvertAll(resolved.Result, a => new IPEndPoint(a, target.Port)), attempt);
                    }
                    else
                    {
                        attempt.TrySetResult(MemberTries.Failed(-1, MemberFault.ConnectFailed));
                    }
                }),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return attempt.Task;
    }

    private void StartConnect(ProxiedConnection connection, IPEndPoint[] candidates, TaskCompletionSource<MemberTry<int>> attempt)
    {
        if (connection.Finished)
        {
            attempt.TrySetResult(MemberTries.Done(-1));
            return;
        }

        connection.Candidates = candidates;
        connection.NextCandidate = 0;
        connection.Connecting = attempt;
        connection.Deadline = After(_options.ConnectTimeout);
        ConnectNext(connection);
    }

    /// <summary>Starts a connect to the next address of the member; when none is left, its try failed.</summary>
    private void ConnectNext(ProxiedConnection connection)
    {
        var address = stackalloc byte[SocketAddresses.MaxLength];
        while (connection.NextCandidate < connection.Candidates.Length)
        {
            var node = connection.Candidates[connection.NextCandidate++];
            var fd = Socket(node.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? AfInet : AfInet6, SockStream | SockNonblock | SockCloexec, 0);
            if (fd < 0)
            {
                // Out of descriptors is ours, not the node's: the run ends without blaming it.
                var errno = Errno;
                if (_troubles.ShouldLog((LoopTrouble.NoSocket, connection.Pool), out var unlogged))
                {
                    BalanceLog.ConnectFailedLocally(_logger, errno, unlogged);
                }

                EndConnect(connection, MemberTries.Done(-1));
                return;
            }

            SetNoDelay(fd);
            var length = SocketAddresses.Write(node, new Span<byte>(address, SocketAddresses.MaxLength));
            if (Connect(fd, address, length) < 0 && Errno != EInProgress)
            {
                _ = Close(fd);
                continue;
            }

            // Even a connect that completed at once (loopback) reports through epoll: one path.
            connection.NodeFd = fd;
            _ = EpollAdd(_epoll, fd, EpollIn | EpollOut | EpollRdHup | EpollEt, ((ulong)connection.Slot << 1) | 1);
            return;
        }

        EndConnect(connection, MemberTries.Failed(-1, MemberFault.ConnectFailed));
    }

    /// <summary>epoll reported on a connect in progress: done, or refused (then the next address).</summary>
    private void Connected(ProxiedConnection connection, uint events)
    {
        // A failed connect reports an error (and hang-up); a done one, writable. No SO_ERROR call needed.
        if ((events & (EpollErr | EpollHup)) != 0)
        {
            DropNodeSocket(connection);
            ConnectNext(connection);
            return;
        }

        // May run the rest of the failover run here, up to Taken.
        EndConnect(connection, MemberTries.Done(connection.NodeFd));
    }

    /// <summary>ConnectTimeout passed: the member's try failed, whatever addresses were left.</summary>
    private static void ConnectTimedOut(ProxiedConnection connection)
    {
        DropNodeSocket(connection);
        EndConnect(connection, MemberTries.Failed(-1, MemberFault.Timeout));
    }

    private static void DropNodeSocket(ProxiedConnection connection)
    {
        if (connection.NodeFd >= 0)
        {
            _ = Close(connection.NodeFd);
            connection.NodeFd = -1;
        }

        connection.NodeReadable = false;
        connection.ToClient.SourceEnding = false;
    }

    private static void EndConnect(ProxiedConnection connection, MemberTry<int> result)
    {
        var attempt = connection.Connecting!;
        connection.Connecting = null;
        connection.Deadline = 0;
        // May start the next member's connect here.
        attempt.TrySetResult(result);
    }
}
