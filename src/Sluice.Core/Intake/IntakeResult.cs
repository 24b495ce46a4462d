using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Core.Intake;

/// <summary>
/// The typed result of one submission: the outcome, the message id, its size as queued (or as
/// measured, when too large), how many recipients it was queued for and each refused recipient.
/// A struct: the SMTP session gets one per message.
/// </summary>
public readonly record struct IntakeResult(IntakeOutcome Outcome, MessageId Id, long Size, int Queued, IReadOnlyList<RecipientRefusal> Refused)
{
    public bool IsStored => Outcome is IntakeOutcome.Stored or IntakeOutcome.PartlyRejected;

    internal static IntakeOutcome From(EnqueueResult result, bool partly) => result switch
    {
        EnqueueResult.Stored => partly ? IntakeOutcome.PartlyRejected : IntakeOutcome.Stored,
        EnqueueResult.StorageFull => IntakeOutcome.StorageFull,
        EnqueueResult.ShuttingDown => IntakeOutcome.ShuttingDown,
        EnqueueResult.Unavailable => IntakeOutcome.Unavailable,
        _ => IntakeOutcome.StorageFailed,
    };
}
