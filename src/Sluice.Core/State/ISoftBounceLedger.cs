namespace Sluice.Core.State;

/// <summary>
/// Soft bounces per recipient (mail that could not be delivered for a reason that may pass: a full
/// mailbox, a delivery that expired), so that N of them within D days can suppress the address.
/// SQLite on one node, PostgreSQL in a cluster.
/// </summary>
public interface ISoftBounceLedger
{
    /// <summary>Records a soft bounce of <paramref name="address"/> at <paramref name="at"/>; returns how many it has had since <paramref name="since"/>, this one included. Older records are forgotten.</summary>
    Task<int> RecordSoftBounceAsync(string address, DateTimeOffset at, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Forgets an address's soft bounces (it was suppressed, or an operator cleared it).</summary>
    Task ClearSoftBouncesAsync(string address, CancellationToken cancellationToken);
}
