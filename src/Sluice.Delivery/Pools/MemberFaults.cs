using Sluice.Core.Balancing;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Pools;

/// <summary>
/// Which outcomes are a relay member's fault and count against its passive health: failing to set
/// up a session, a 421, a session lost before the answer, and 4xx throttling. A reply about the
/// message or one recipient (5.1.x, 4.2.2, …) is not, nor is our own shutdown.
/// </summary>
internal static class MemberFaults
{
    /// <summary>The fault of a session that could not be set up.</summary>
    public static MemberFault OfSetup(DeliveryOutcome failure)
    {
        var reply = failure.Reply;
        if (reply.Code == 421)
        {
            return MemberFault.Throttled;
        }

        var timeout = reply.ToString().Contains("timeout", StringComparison.OrdinalIgnoreCase);
        return reply.Status switch
        {
            { Subject: 4, Detail: 1 } => timeout ? MemberFault.Timeout : MemberFault.ConnectFailed,
            { Subject: 4, Detail: 2 } => timeout ? MemberFault.Timeout : MemberFault.Dropped,
            { Subject: 7, Detail: 4 or 5 } => MemberFault.TlsFailed,
            _ => MemberFault.BadGreeting,
        };
    }

    /// <summary>
    /// The fault shown by a transaction the member answered, or null when it did its job. (A session
    /// lost before the answer never gets here: that is <see cref="MemberFault.Dropped"/> at the caller.)
    /// </summary>
    public static MemberFault? OfTransaction(DeliveryOutcome first, bool throttling)
        => first.Reply.Code == 421 || throttling ? MemberFault.Throttled : null;
}
