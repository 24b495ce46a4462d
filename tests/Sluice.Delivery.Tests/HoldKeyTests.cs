using Sluice.Delivery.Queues;
using Sluice.Delivery.Reputation;

namespace Sluice.Delivery.Tests;

public sealed class HoldKeyTests
{
    public static TheoryData<string, bool> Keys => new()
    {
        { HoldKey.ForSuspension("Gmail.com").Value, true },
        { HoldKey.ForPause(new SenderKey(SenderScope.SenderDomain, "news.example")).Value, true },
        { HoldKey.WarmUp.Value, true },
        { HoldKey.ForQueue(new QueueKey("mx.example", "ip1")).Value, false },
        { HoldKey.Stopping.Value, false },
    };

    /// <summary>Only holds that last are events: a ready queue's flow control holds and releases too often to be told one by one.</summary>
    [Theory]
    [MemberData(nameof(Keys))]
    public void Lasts_EachKindOfHold_OnlyOperatorAndAllowanceHolds(string key, bool lasts) => Assert.Equal(lasts, new HoldKey(key).Lasts);
}
