namespace Sluice.Server.Sessions;

/// <summary>Which connection limit refused a client.</summary>
internal enum AdmissionRefusal
{
    /// <summary>The listener holds <c>MaxConnections</c> already.</summary>
    Total,

    /// <summary>The client's address holds <c>MaxConnectionsPerClient</c> already.</summary>
    PerClient,

    /// <summary>
    /// The listener is under stress and the address holds its fair share already: the capacity
    /// that is left goes to addresses with fewer connections.
    /// </summary>
    FairShare,

    /// <summary>A connection from a trusted balancer did not start with a valid PROXY header.</summary>
    ProxyHeader,
}
