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

    /// <summary>A multi-domain message is held under the key likely released first: flow control before what lasts, and nothing known between two of a kind.</summary>
    [Fact]
    public void LikelyReleasedBefore_FlowControlAgainstWhatLasts_OnlyFlowControlFirst()
    {
        var queue = HoldKey.ForQueue(new QueueKey("mx.example", "ip1"));
        var suspension = HoldKey.ForSuspension("gmail.com");
        var pause = HoldKey.ForPause(new SenderKey(SenderScope.SenderDomain, "news.example"));

        Assert.True(queue.LikelyReleasedBefore(suspension));
        Assert.True(HoldKey.Stopping.LikelyReleasedBefore(HoldKey.WarmUp));
        Assert.False(suspension.LikelyReleasedBefore(queue));
        Assert.False(suspension.LikelyReleasedBefore(pause));
        Assert.False(queue.LikelyReleasedBefore(HoldKey.ForQueue(new QueueKey("mx.other", "ip1"))));
    }
}
