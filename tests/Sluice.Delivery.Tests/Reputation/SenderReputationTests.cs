using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Events;
using Sluice.Core.State;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Classification;
using Sluice.Delivery.Feedback;
using Sluice.Delivery.Reputation;
using Sluice.Smtp;
using Sluice.Testing;

namespace Sluice.Delivery.Tests.Reputation;

public sealed class SenderReputationTests : IDisposable
{
    private static readonly SmtpReply NoSuchUser = SmtpReply.Create(550, "5.1.1", "No such user");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _dir = new();
    private readonly FakeStateStores _stores = new();
    private readonly SuppressionList _list = new();
    private readonly TestMeterFactory _meters = new();
    private readonly List<SenderPause> _paused = [];
    private DeliveryEventLog? _events;

    public void Dispose()
    {
        _events?.Dispose();
        _meters.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task BouncedAsync_RateOverTheBrakeAfterMinimumSent_PausesTheSender()
    {
        var reputation = Create(new BrakeRule { Scope = SenderScope.SenderDomain, MinimumSent = 10, MaxBounceRate = 0.2, Pause = TimeSpan.FromHours(1) });
        var sender = Sender("news.example");
        for (var i = 0; i < 8; i++)
        {
            reputation.Delivered(sender);
        }

        await BounceAsync(reputation, sender, 2);
        Assert.Null(reputation.PausedFor(sender)); // 2 of 10: at the maximum, not over it

        await BounceAsync(reputation, sender, 1);
        var pause = Assert.Single(_paused);
        Assert.Equal(new SenderKey(SenderScope.SenderDomain, "news.example"), pause.Key);
        Assert.Equal(PauseCause.BounceRate, pause.Cause);
        Assert.Equal(_time.GetUtcNow().AddHours(1), pause.Until);
        Assert.Contains("27.27", pause.Reason, StringComparison.Ordinal);
        Assert.NotNull(reputation.PausedFor(sender));
        Assert.Null(reputation.PausedFor(Sender("other.example")));
        _events!.Flush();
        var line = Assert.Single(File.ReadAllLines(Directory.GetFiles(Path.Combine(_dir.Path, "events"))[0]), l => l.Contains("sender_paused", StringComparison.Ordinal));
        Assert.Contains("\"sender_key\":\"sender_domain:news.example\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BouncedAsync_UnderTheBrakeHereButOverItWithTheOtherNodes_PausesTheSender()
    {
        var reputation = Create(new BrakeRule { Scope = SenderScope.SenderDomain, MinimumSent = 10, MaxBounceRate = 0.2 });
        var sender = Sender("news.example");
        reputation.Rates.StartSharing();
        for (var i = 0; i < 8; i++)
        {
            reputation.Delivered(sender);
        }

        // The other nodes sent 10 and saw 3 bounce: 3 of 18 so far, under the brake's 20%.
        var exchange = reputation.Rates.TakeExchange(_ => true);
        var key = new SenderKey(SenderScope.SenderDomain, "news.example");
        Assert.Contains(key.ToString(), exchange.Wanted);
        reputation.Rates.Received(exchange, new Dictionary<string, IReadOnlyList<Core.Cluster.RateBucket>>
        {
            [key.ToString()] = [new(exchange.OldestPeriod + RateWindow.Buckets - 1, 10, 3, 0)],
        });
        Assert.Null(reputation.PausedFor(sender));

        // One bounce here: 4 of 19, over 20% only counted with the other nodes' mail.
        await BounceAsync(reputation, sender, 1);

        Assert.Equal(key, Assert.Single(_paused).Key);
        Assert.Equal(new RateTotals(9, 1, 0) + new RateTotals(10, 3, 0), reputation.Rates.Totals(key, TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task BouncedAsync_BelowMinimumSent_DoesNotPause()
    {
        var reputation = Create(new BrakeRule { MinimumSent = 10, MaxBounceRate = 0.05 });
        var sender = Sender("new.example");
        await BounceAsync(reputation, sender, 9);
        Assert.Empty(_paused);
        Assert.Equal(1.0, reputation.Rates.Totals(new SenderKey(SenderScope.SenderDomain, "new.example"), TimeSpan.FromHours(1)).BounceRate);
    }

    [Fact]
    public async Task ComplainedAsync_TagOverItsComplaintRate_PausesTheTagOnly()
    {
        var reputation = Create(new BrakeRule { Scope = SenderScope.Tag, MinimumSent = 100, MaxComplaintRate = 0.01 });
        var sender = new SenderIdentity("shop.example", ["spring-sale"], "shop-key");
        for (var i = 0; i < 100; i++)
        {
            reputation.Delivered(sender);
        }

        await reputation.ComplainedAsync(sender, "m1", "a@example.test", CancellationToken.None);
        Assert.Empty(_paused); // 1 of 100: at the maximum
        await reputation.ComplainedAsync(sender, "m2", "b@example.test", CancellationToken.None);

        var pause = Assert.Single(_paused);
        Assert.Equal(new SenderKey(SenderScope.Tag, "Spring-Sale"), pause.Key); // keys compare without case
        Assert.Equal(PauseCause.ComplaintRate, pause.Cause);
        Assert.NotNull(reputation.PausedFor(new SenderIdentity("other.example", ["spring-sale"], null)));
        Assert.Null(reputation.PausedFor(new SenderIdentity("shop.example", ["autumn"], "shop-key")));
    }

    [Fact]
    public async Task CheckBrakes_BrakeNamingSenders_WatchesOnlyThem()
    {
        var reputation = Create(new BrakeRule { Scope = SenderScope.ApiKey, Senders = ["risky"], MinimumSent = 1, MaxBounceRate = 0.1 });
        await BounceAsync(reputation, new SenderIdentity("a.example", null, "careful"), 5);
        Assert.Empty(_paused);
        await BounceAsync(reputation, new SenderIdentity("a.example", null, "risky"), 1);
        Assert.Equal(new SenderKey(SenderScope.ApiKey, "risky"), Assert.Single(_paused).Key);
    }

    [Fact]
    public async Task TakeExpired_AfterThePause_ResumesAndJudgesFreshMailOnly()
    {
        var reputation = Create(new BrakeRule { MinimumSent = 2, MaxBounceRate = 0.5, Pause = TimeSpan.FromMinutes(30) });
        var sender = Sender("bad.example");
        await BounceAsync(reputation, sender, 2);
        Assert.Single(_paused);
        Assert.Empty(reputation.TakeExpired());

        _time.Advance(TimeSpan.FromMinutes(30));
        var expired = Assert.Single(reputation.TakeExpired());
        Assert.Equal("bad.example", expired.Key.Value);
        Assert.Null(reputation.PausedFor(sender));

        // The bounces that caused the pause are forgotten: one more is one of one, under the minimum.
        reputation.Delivered(sender);
        await BounceAsync(reputation, sender, 1);
        Assert.Single(_paused);
        Assert.Equal(new RateTotals(2, 1, 0), reputation.Rates.Totals(expired.Key, TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task BouncedAsync_NoSuchUser_SuppressesForEverySender()
    {
        var reputation = Create();
        var made = await reputation.BouncedAsync(Sender("a.example"), "m1", "gone@example.test", NoSuchUser, BounceCategory.InvalidRecipient, BounceOrigin.Delivery, CancellationToken.None);
        Assert.Equal(new Suppression("gone@example.test", null, SuppressionReason.Bounce, _time.GetUtcNow()), made);
        Assert.Single(_stores.Suppressions);
        Assert.NotNull(_list.Find("gone@example.test", "anyone@b.example", _time.GetUtcNow()));
    }

    [Theory]
    [InlineData(554, "5.7.1", BounceCategory.SpamBlock)]
    [InlineData(552, "5.3.4", BounceCategory.MessageTooLarge)]
    [InlineData(550, "5.7.26", BounceCategory.Policy)]
    public async Task BouncedAsync_RefusalOfTheMessageNotTheAddress_SuppressesNothing(int code, string status, BounceCategory category)
    {
        var reputation = Create();
        var made = await reputation.BouncedAsync(Sender("a.example"), "m1", "fine@example.test", SmtpReply.Create(code, status, "refused"), category, BounceOrigin.Delivery, CancellationToken.None);
        Assert.Null(made);
        Assert.Empty(_stores.Suppressions);
        Assert.Empty(_stores.SoftBounces);
    }

    [Fact]
    public async Task BouncedAsync_SoftBouncesUpToTheLimitWithinTheWindow_Suppress()
    {
        var reputation = Create(feedback: new FeedbackOptions { SoftBounceLimit = 3, SoftBounceWindow = TimeSpan.FromDays(7) });
        var full = SmtpReply.Create(552, "5.2.2", "Mailbox full");
        Assert.Null(await reputation.BouncedAsync(Sender("a.example"), "m1", "full@example.test", full, BounceCategory.MailboxFull, BounceOrigin.Delivery, CancellationToken.None));
        _time.Advance(TimeSpan.FromDays(2));
        Assert.Null(await reputation.BouncedAsync(Sender("a.example"), "m2", "full@example.test", SmtpReply.Create(554, "5.4.7", "expired"), BounceCategory.Expired, BounceOrigin.Expiry, CancellationToken.None));
        _time.Advance(TimeSpan.FromDays(2));
        var made = await reputation.BouncedAsync(Sender("b.example"), "m3", "full@example.test", SmtpReply.Create(450, "4.2.2", "over quota"), BounceCategory.MailboxFull, BounceOrigin.Report, CancellationToken.None);

        Assert.Equal(SuppressionReason.SoftBounce, made?.Reason);
        Assert.Null(made?.Scope);
        Assert.Empty(_stores.SoftBounces); // forgotten once suppressed
    }

    [Fact]
    public async Task BouncedAsync_SoftBouncesSpreadWiderThanTheWindow_SuppressNothing()
    {
        var reputation = Create(feedback: new FeedbackOptions { SoftBounceLimit = 2, SoftBounceWindow = TimeSpan.FromDays(1) });
        var full = SmtpReply.Create(452, "4.2.2", "Mailbox full");
        Assert.Null(await reputation.BouncedAsync(Sender("a.example"), "m1", "full@example.test", full, BounceCategory.MailboxFull, BounceOrigin.Delivery, CancellationToken.None));
        _time.Advance(TimeSpan.FromDays(2));
        Assert.Null(await reputation.BouncedAsync(Sender("a.example"), "m2", "full@example.test", full, BounceCategory.MailboxFull, BounceOrigin.Delivery, CancellationToken.None));
        Assert.Empty(_stores.Suppressions);
    }

    [Fact]
    public async Task ComplainedAsync_ScopedToSenderDomain_SuppressesForThatDomainOnly()
    {
        var reputation = Create();
        var made = await reputation.ComplainedAsync(Sender("news.example"), "m1", "angry@example.test", CancellationToken.None);
        Assert.Equal("news.example", made?.Scope);
        Assert.NotNull(_list.Find("angry@example.test", "x@news.example", _time.GetUtcNow()));
        Assert.Null(_list.Find("angry@example.test", "x@shop.example", _time.GetUtcNow()));
    }

    [Fact]
    public void Pause_SavedToItsFile_IsThereAfterARestart()
    {
        var file = Path.Combine(_dir.Path, "pauses.json");
        var pauses = new SenderPauses(_time, file);
        pauses.Pause(new SenderPause(new SenderKey(SenderScope.ApiKey, "shop"), _time.GetUtcNow(), _time.GetUtcNow().AddHours(2), PauseCause.Operator, "checking a list"));

        var again = new SenderPauses(_time, file);
        var pause = again.Find(new SenderIdentity("any.example", null, "SHOP"));
        Assert.Equal("checking a list", pause?.Reason);
        Assert.Equal(PauseCause.Operator, pause?.Cause);
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Null(again.Find(new SenderIdentity("any.example", null, "shop")));
    }

    private static SenderIdentity Sender(string domain) => new(domain, null, null);

    private static async Task BounceAsync(SenderReputation reputation, SenderIdentity sender, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await reputation.BouncedAsync(sender, "m" + i, null, NoSuchUser, BounceCategory.InvalidRecipient, BounceOrigin.Delivery, CancellationToken.None);
        }
    }

    private SenderReputation Create(BrakeRule? brake = null, FeedbackOptions? feedback = null)
    {
        var options = new ReputationOptions { Brakes = brake is null ? [] : [brake] };
        _events = new DeliveryEventLog(Path.Combine(_dir.Path, "events"), _time);
        var reputation = new SenderReputation(
            new SenderRates(options, _time),
            new SenderPauses(_time),
            options,
            feedback ?? new FeedbackOptions(),
            _stores,
            _list,
            _stores,
            _events,
            new SluiceMetrics(_meters),
            _time,
            NullLogger<SenderReputation>.Instance);
        reputation.Paused += _paused.Add;
        return reputation;
    }
}
