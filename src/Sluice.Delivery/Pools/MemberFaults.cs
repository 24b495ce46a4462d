using Sluice.Core.Balancing;
using Sluice.Delivery.Queues;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Pools;

/// <summary>
/// Which outcomes are a relay member's fault and count against its passive health: no session
/// (by cause), a session lost, and throttling. A reply about the message or one recipient
/// (5.1.x, 4.2.2, …) is not, nor is anything decided here (DNS, policy, our own error).
/// </summary>
internal static class MemberFaults
{
    public static MemberFault? Of(TransactionVerdict verdict, DeliveryOutcome decisive) => verdict switch
    {
        TransactionVerdict.Delivered or TransactionVerdict.Refused => null,
        TransactionVerdict.Throttled => MemberFault.Throttled,
        _ => decisive.Cause switch
        {
            OutcomeCause.ConnectFailed => MemberFault.ConnectFailed,
            OutcomeCause.TimedOut => MemberFault.Timeout,
            OutcomeCause.TlsFailed => MemberFault.TlsFailed,
            OutcomeCause.LostBeforeDot or OutcomeCause.LostAfterDot => MemberFault.Dropped,
            _ => MemberFault.BadGreeting,
        },
    };
}
