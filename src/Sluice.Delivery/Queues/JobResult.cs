using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

/// <summary>
/// How a job left its ready queue: the peer answered the transaction (an outcome per recipient),
/// no session could carry it (one failure for all its recipients), or it was held back without
/// an attempt (the destination is suspended, resting, or has enough mail waiting).
/// </summary>
public sealed record JobResult(JobResultKind Kind, IReadOnlyList<RecipientOutcome>? Outcomes, DeliveryOutcome? Failure, string? RemoteMta, HoldKey? Hold)
{
    public static JobResult Answered(IReadOnlyList<RecipientOutcome> outcomes, string remoteMta) => new(JobResultKind.Answered, outcomes, null, remoteMta, null);

    public static JobResult NotSent(DeliveryOutcome failure, string? remoteMta) => new(JobResultKind.NotSent, null, failure, remoteMta, null);

    public static JobResult Held(HoldKey key) => new(JobResultKind.Held, null, null, null, key);
}
