namespace Sluice.Core.State;

/// <summary>What a change to shared state touched, so that every node's caches can follow it.</summary>
public enum StateChangeKind
{
    /// <summary>One address's suppressions (added, replaced or removed).</summary>
    Suppression,

    /// <summary>Many suppressions at once (an import): nodes reload the whole list.</summary>
    Suppressions,

    /// <summary>An API key (added or revoked).</summary>
    ApiKey,

    /// <summary>A template (a version added, or every version deleted).</summary>
    Template,

    /// <summary>A destination suspended or resumed.</summary>
    Suspension,

    /// <summary>A sender paused (by a brake or an operator) or resumed.</summary>
    SenderPause,
}
