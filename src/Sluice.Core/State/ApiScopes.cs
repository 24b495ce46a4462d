namespace Sluice.Core.State;

/// <summary>What an API key may do.</summary>
[Flags]
public enum ApiScopes
{
    None = 0,

    /// <summary>Submit messages.</summary>
    Send = 1,

    /// <summary>Read messages' state, the queue, pools, policy and metrics.</summary>
    Read = 2,

    /// <summary>Operate the node: queue operations, reloads, keys.</summary>
    Admin = 4,

    All = Send | Read | Admin,
}
