using Sluice.Core.Balancing;
using Sluice.Core.Messages;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Pools;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Smtp;
using Sluice.Smtp;

namespace Sluice.Delivery.Tests;

public sealed class VerdictTests
{
    private static readonly BounceClassifier Classifier = new([]);

    public static TheoryData<DeliveryOutcome, string, MemberFault?> Cases => new()
    {
        { DeliveryOutcome.Session(OutcomeCause.ConnectFailed, SessionPhase.Connect, "4.4.1", "refused"), nameof(TransactionVerdict.SessionFailed), MemberFault.ConnectFailed },
        { DeliveryOutcome.Session(OutcomeCause.TimedOut, SessionPhase.Greeting, "4.4.2", "no greeting"), nameof(TransactionVerdict.SessionFailed), MemberFault.Timeout },
        { DeliveryOutcome.Session(OutcomeCause.TimedOut, SessionPhase.FinalDot, "4.4.2", "slow dot"), nameof(TransactionVerdict.SessionFailed), MemberFault.Timeout },
        { DeliveryOutcome.Session(OutcomeCause.TlsFailed, SessionPhase.StartTls, "4.7.5", "handshake"), nameof(TransactionVerdict.SessionFailed), MemberFault.TlsFailed },
        { DeliveryOutcome.Session(OutcomeCause.LostBeforeDot, SessionPhase.Envelope, "4.4.2", "reset"), nameof(TransactionVerdict.SessionFailed), MemberFault.Dropped },
        { DeliveryOutcome.Session(OutcomeCause.LostAfterDot, SessionPhase.FinalDot, "4.4.2", "reset"), nameof(TransactionVerdict.SessionFailed), MemberFault.Dropped },
        { DeliveryOutcome.FromReply(SmtpReply.Create(554, "5.7.1", "no service"), SessionPhase.Greeting), nameof(TransactionVerdict.SessionFailed), MemberFault.BadGreeting },
        { DeliveryOutcome.FromReply(SmtpReply.Create(421, "4.7.0", "too busy"), SessionPhase.Greeting), nameof(TransactionVerdict.Throttled), MemberFault.Throttled },
        { DeliveryOutcome.FromReply(SmtpReply.Create(451, "4.7.1", "rate limit exceeded, slow down")), nameof(TransactionVerdict.Throttled), MemberFault.Throttled },
        { DeliveryOutcome.FromReply(SmtpReply.Create(550, "5.1.1", "no such user")), nameof(TransactionVerdict.Refused), null },
        { DeliveryOutcome.FromReply(SmtpReply.Create(450, "4.2.1", "mailbox busy")), nameof(TransactionVerdict.Refused), null },
        { DeliveryOutcome.Transient("4.4.3", "DNS failed"), nameof(TransactionVerdict.Refused), null },
        { DeliveryOutcome.FromReply(SmtpReply.Create(250, "2.0.0", "ok"), SessionPhase.FinalDot), nameof(TransactionVerdict.Delivered), null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Of_EachCause_IsOneVerdictAndOneMemberFault(DeliveryOutcome outcome, string verdict, MemberFault? fault)
    {
        var (v, decisive) = Verdicts.Of(outcome, Classifier);

        Assert.Equal(verdict, v.ToString());
        Assert.Equal(fault, MemberFaults.Of(v, decisive));
    }

    [Fact]
    public void Of_WholeTransaction_OneAcceptedRecipientMakesItDelivered()
    {
        var outcomes = new[]
        {
            Outcome("a@x.test", DeliveryOutcome.FromReply(SmtpReply.Create(550, "5.1.1", "no such user"))),
            Outcome("b@x.test", DeliveryOutcome.FromReply(SmtpReply.Create(250, "2.0.0", "ok"), SessionPhase.FinalDot)),
        };

        Assert.Equal(TransactionVerdict.Delivered, Verdicts.Of(outcomes, Classifier).Verdict);
    }

    [Fact]
    public void Of_WholeTransaction_ASessionFailureOutweighsRefusalsAndThrottling()
    {
        var lost = DeliveryOutcome.Session(OutcomeCause.LostAfterDot, SessionPhase.FinalDot, "4.4.2", "reset");
        var outcomes = new[]
        {
            Outcome("a@x.test", DeliveryOutcome.FromReply(SmtpReply.Create(550, "5.1.1", "no such user"))),
            Outcome("b@x.test", DeliveryOutcome.FromReply(SmtpReply.Create(451, "4.7.1", "rate limit exceeded"))),
            Outcome("c@x.test", lost),
        };

        var (verdict, decisive) = Verdicts.Of(outcomes, Classifier);

        Assert.Equal(TransactionVerdict.SessionFailed, verdict);
        Assert.Same(lost, decisive);
    }

    private static RecipientOutcome Outcome(string address, DeliveryOutcome outcome) => new(new EnvelopeRecipient(address), outcome);
}
