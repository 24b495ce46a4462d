namespace Sluice.Core.Proxy;

public enum ProxyParseStatus
{
    /// <summary>A whole header was read.</summary>
    Done,

    /// <summary>What is there so far is a valid beginning: read more.</summary>
    NeedMore,

    /// <summary>Not a PROXY header, or a malformed one: close the connection.</summary>
    Invalid,
}
