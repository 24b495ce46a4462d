using System.Net;
using Sluice.Core.Balancing;

namespace Sluice.Balance;

/// <summary>
/// A client connection and, once a node took it, the connection to that node; owned by one
/// <see cref="ProxyLoop"/>, touched only on its thread.
/// </summary>
internal sealed class ProxiedConnection(int slot, int clientFd, IPEndPoint client, IPEndPoint front, string pool)
{
    public int Slot { get; } = slot;

    public int ClientFd { get; set; } = clientFd;

    /// <summary>The node's socket: while connecting, the attempt in progress; -1 before and after.</summary>
    public int NodeFd { get; set; } = -1;

    public IPEndPoint Client { get; } = client;

    public IPEndPoint Front { get; } = front;

    public string Pool { get; } = pool;

    /// <summary>Client → node (the PROXY header goes first).</summary>
    public ProxyHalf ToNode { get; } = new();

    /// <summary>Node → client.</summary>
    public ProxyHalf ToClient { get; } = new();

    /// <summary>The addresses of the member being connected to (a name may have several), tried in turn.</summary>
    public IPEndPoint[] Candidates { get; set; } = [];

    public int NextCandidate { get; set; }

    /// <summary>Completed when the connect in progress ends (the node's socket, or the fault).</summary>
    public TaskCompletionSource<MemberTry<int>>? Connecting { get; set; }

    /// <summary>The node's lease (counts this connection against it), held while proxying.</summary>
    public MemberLease Lease { get; set; }

    public bool Proxying { get; set; }

    /// <summary>epoll reported data (or an end) from the client before proxying began.</summary>
    public bool ClientReadable { get; set; }

    /// <summary>epoll reported data from the node (its greeting) before proxying began.</summary>
    public bool NodeReadable { get; set; }

    public bool Finished { get; set; }

    /// <summary>When the connect in progress times out, or a half-closed connection is cut (timestamp ticks; 0: none).</summary>
    public long Deadline { get; set; }
}
