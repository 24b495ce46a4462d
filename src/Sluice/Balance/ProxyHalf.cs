namespace Sluice.Balance;

/// <summary>
/// One direction of a proxied connection: bytes read from one socket and not yet written to the
/// other (kept only when the other side's send buffer was full, in a rented array), and whether the
/// reading side has ended and the end was passed on.
/// </summary>
internal sealed class ProxyHalf
{
    public byte[]? Pending { get; set; }

    public int PendingOffset { get; set; }

    public int PendingLength { get; set; }

    /// <summary>epoll reported the reading side's hang-up (or an error): read it to the end, whatever a read returns.</summary>
    public bool SourceEnding { get; set; }

    /// <summary>The reading side sent FIN (or its connection failed).</summary>
    public bool Ended { get; set; }

    /// <summary>The end was passed on to the writing side (shutdown(SHUT_WR)).</summary>
    public bool Closed { get; set; }
}
