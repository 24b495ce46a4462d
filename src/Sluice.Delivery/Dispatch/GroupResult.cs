using Sluice.Core.Messages;
using Sluice.Delivery.Queues;

namespace Sluice.Delivery.Dispatch;

/// <summary>One domain group's result: a result per recipient, or the whole group held under a key (and what to run once that hold is written).</summary>
internal sealed record GroupResult(List<EnvelopeRecipient> Recipients, List<AttemptResult>? Results, HoldKey? Held, Func<ValueTask>? AfterHold = null)
{
    public static GroupResult From(JobResult job, List<EnvelopeRecipient> recipients, string site, string? source, TimeSpan elapsed)
    {
        switch (job.Kind)
        {
            case JobResultKind.Held:
                return new GroupResult(recipients, null, job.Hold, job.AfterHold);
            case JobResultKind.NotSent:
                var failed = new List<AttemptResult>(recipients.Count);
                foreach (var recipient in recipients)
                {
                    failed.Add(new AttemptResult(recipient, job.Failure!, site, job.RemoteMta, source, elapsed));
                }

                return new GroupResult(recipients, failed, null);
            default:
                var answered = new List<AttemptResult>(job.Outcomes!.Count);
                foreach (var o in job.Outcomes!)
                {
                    answered.Add(new AttemptResult(o.Recipient, o.Outcome, site, job.RemoteMta, source, elapsed));
                }

                return new GroupResult(recipients, answered, null);
        }
    }
}
