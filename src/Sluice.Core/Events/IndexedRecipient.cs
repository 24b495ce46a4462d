namespace Sluice.Core.Events;

/// <summary>Where one recipient of an indexed message stands: its state (see <see cref="EventNames.RecipientStates"/>), the last reply and when it changed.</summary>
public sealed record IndexedRecipient(string Address, string State, string? Reply, DateTimeOffset UpdatedAt)
{
    /// <summary>Still to settle: queued, deferred or held (the states a queue listing shows).</summary>
    public bool IsPending => EventNames.IsPending(State);
}
