namespace Sluice.Balance;

/// <summary>Which PROXY protocol header the balancer sends to nodes.</summary>
public enum ProxyProtocolVersion
{
    /// <summary>Binary v2 (the default; what HAProxy's send-proxy-v2 sends).</summary>
    V2,

    /// <summary>Text v1 ("PROXY TCP4 …").</summary>
    V1,

    /// <summary>None: nodes see the balancer's address (use only when they need not know the client).</summary>
    None,
}
