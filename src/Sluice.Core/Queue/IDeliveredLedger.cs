using Sluice.Core.Messages;

namespace Sluice.Core.Queue;

/// <summary>
/// Recipients already delivered of messages not yet settled, kept outside the node that delivered
/// them (a cluster's PostgreSQL), so that a message redelivered after that node died is not sent
/// to them again (ADR 0033). Best effort by design: with the store out of reach a record is
/// skipped (logged), and the message is then only as safe as at-least-once delivery makes it.
/// </summary>
public interface IDeliveredLedger
{
    Task RecordAsync(MessageId id, IReadOnlyList<string> recipients, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The recipients recorded as delivered for the message (empty when none, or when the store cannot be asked).</summary>
    Task<IReadOnlySet<string>> DeliveredAsync(MessageId id, CancellationToken cancellationToken);
}
