using Sluice.Delivery.Classification;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

/// <summary>
/// Reads a whole transaction (every recipient's outcome) or a failed session as one
/// <see cref="TransactionVerdict"/>, with the outcome that decided it: the one place where
/// slow start, rest and member health learn what happened.
/// </summary>
internal static class Verdicts
{
    public static (TransactionVerdict Verdict, DeliveryOutcome Decisive) Of(IReadOnlyList<RecipientOutcome> outcomes, BounceClassifier classifier)
    {
        var verdict = TransactionVerdict.Refused;
        var decisive = outcomes[0].Outcome;
        foreach (var o in outcomes)
        {
            var (v, outcome) = Of(o.Outcome, classifier);
            if (v == TransactionVerdict.Delivered)
            {
                return (v, outcome);
            }

            // A failed session outweighs throttling, which outweighs a refusal.
            if (v > verdict)
            {
                (verdict, decisive) = (v, outcome);
            }
        }

        return (verdict, decisive);
    }

    public static (TransactionVerdict Verdict, DeliveryOutcome Decisive) Of(DeliveryOutcome outcome, BounceClassifier classifier)
    {
        var verdict = outcome.Cause switch
        {
            OutcomeCause.ConnectFailed or OutcomeCause.TimedOut or OutcomeCause.TlsFailed or OutcomeCause.LostBeforeDot or OutcomeCause.LostAfterDot => TransactionVerdict.SessionFailed,
            OutcomeCause.Local => TransactionVerdict.Refused,
            _ when outcome.Kind == DeliveryOutcomeKind.Delivered => TransactionVerdict.Delivered,

            // RFC 5321 §3.8: 421 is the server closing the session; a rate-limit 4xx asks us to slow down.
            _ when outcome.Reply.Code == 421 => TransactionVerdict.Throttled,
            _ when outcome.Kind == DeliveryOutcomeKind.Transient && classifier.Classify(outcome.Reply) == BounceCategory.RateLimited => TransactionVerdict.Throttled,

            // A refused greeting, EHLO or AUTH: the site did not give us a session.
            _ when outcome.Phase is SessionPhase.Greeting or SessionPhase.Hello or SessionPhase.StartTls or SessionPhase.Auth => TransactionVerdict.SessionFailed,
            _ => TransactionVerdict.Refused,
        };
        return (verdict, outcome);
    }
}
