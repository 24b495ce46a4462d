using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

/// <summary>
/// How a job left its ready queue: the peer answered the transaction (an outcome per recipient),
/// no session could carry it (one failure for all its recipients), or it was held back without
/// an attempt (the destination is suspended, resting, or has enough mail waiting).
/// </summary>
/// <param name="AfterHold">
/// For a hold: what to run once the hold is written. The hold is written when the whole message
/// settles, which can be long after it was decided (another domain of the message still being
/// sent, a full disk's write retries); the release it waits for may run in between and find
/// nothing held, and the message would then stay held until a restart. So whoever decided the
/// hold looks again once it is written and releases it when what it waited for has ended.
/// </param>
public sealed record JobResult(JobResultKind Kind, IReadOnlyList<RecipientOutcome>? Outcomes, DeliveryOutcome? Failure, string? RemoteMta, HoldKey? Hold, Func<ValueTask>? AfterHold = null)
{
    public static JobResult Answered(IReadOnlyList<RecipientOutcome> outcomes, string remoteMta) => new(JobResultKind.Answered, outcomes, null, remoteMta, null);

    public static JobResult NotSent(DeliveryOutcome failure, string? remoteMta) => new(JobResultKind.NotSent, null, failure, remoteMta, null);

    /// <summary>Held under <paramref name="key"/>; <paramref name="afterHold"/> releases it again if what it waits for ended before the hold was written (null: nothing releases it in this process, as at shutdown).</summary>
    public static JobResult Held(HoldKey key, Func<ValueTask>? afterHold) => new(JobResultKind.Held, null, null, null, key, afterHold);
}
