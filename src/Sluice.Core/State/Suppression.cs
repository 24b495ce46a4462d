namespace Sluice.Core.State;

/// <summary>
/// A recipient not to send to: for every sender (<see cref="Scope"/> null) or for one sending
/// domain, for a reason, until <see cref="ExpiresAt"/> (never when null). Addresses are kept lower-cased.
/// </summary>
public sealed record Suppression(string Address, string? Scope, SuppressionReason Reason, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt = null)
{
    public bool IsActive(DateTimeOffset now) => ExpiresAt is not { } until || until > now;

    /// <summary>Applies to mail from <paramref name="senderDomain"/> at <paramref name="now"/>.</summary>
    public bool Applies(string? senderDomain, DateTimeOffset now)
        => IsActive(now) && (Scope is null || string.Equals(Scope, senderDomain, StringComparison.OrdinalIgnoreCase));
}
