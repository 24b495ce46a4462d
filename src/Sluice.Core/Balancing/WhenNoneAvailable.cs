namespace Sluice.Core.Balancing;

/// <summary>What a pool does when no member of it (or of the pools it fails over to) is available.</summary>
public enum WhenNoneAvailable
{
    /// <summary>Pick nothing: the caller defers (SMTP 4.4.x, retried later) or refuses the connection.</summary>
    Defer,

    /// <summary>Ignore health and pick among the members that are not drained: better a try than a certain delay.</summary>
    FailOpen,
}
