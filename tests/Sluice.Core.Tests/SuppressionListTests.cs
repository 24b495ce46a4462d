using Sluice.Core.State;

namespace Sluice.Core.Tests;

public sealed class SuppressionListTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Find_GlobalEntry_MatchesAnySenderCaseInsensitively()
    {
        var list = new SuppressionList();
        list.Add([new Suppression("gone@dest.example", null, SuppressionReason.Bounce, Now)]);

        Assert.Equal(SuppressionReason.Bounce, list.Find("GONE@dest.example", "a@anyone.example", Now)?.Reason);
        Assert.Null(list.Find("other@dest.example", "a@anyone.example", Now));
    }

    [Fact]
    public void Find_ScopedEntry_OnlyForThatSendingDomain()
    {
        var list = new SuppressionList();
        list.Add([new Suppression("r@dest.example", "news.example", SuppressionReason.Unsubscribe, Now)]);

        Assert.NotNull(list.Find("r@dest.example", "letters@NEWS.example", Now));
        Assert.Null(list.Find("r@dest.example", "orders@shop.example", Now));
        Assert.Null(list.Find("r@dest.example", string.Empty, Now));
    }

    [Fact]
    public void Find_Expired_DoesNotApply()
    {
        var list = new SuppressionList();
        list.Add([new Suppression("r@dest.example", null, SuppressionReason.Manual, Now.AddDays(-2), Now.AddMinutes(5))]);

        Assert.NotNull(list.Find("r@dest.example", "a@src.example", Now));
        Assert.Null(list.Find("r@dest.example", "a@src.example", Now.AddMinutes(5)));
    }

    [Fact]
    public void AddAndRemove_PerScope_KeepTheOtherScopes()
    {
        var list = new SuppressionList();
        list.Add([new Suppression("r@dest.example", null, SuppressionReason.Manual, Now), new Suppression("r@dest.example", "news.example", SuppressionReason.Complaint, Now)]);
        list.Add([new Suppression("r@dest.example", "news.example", SuppressionReason.Bounce, Now)]);

        list.Remove("r@dest.example", null);

        Assert.Equal(SuppressionReason.Bounce, list.Find("r@dest.example", "a@news.example", Now)?.Reason);
        Assert.Null(list.Find("r@dest.example", "a@shop.example", Now));
        list.Remove("r@dest.example", "news.example");
        Assert.Equal(0, list.Count);
    }
}
