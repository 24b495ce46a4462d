using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Events;
using Sluice.Core.Webhooks;

namespace Sluice.Testing.Contracts;

/// <summary>
/// What the message index and its webhook store must do, run against each database that holds
/// them: the embedded events.db and a cluster's PostgreSQL (ADR 0024, 0035). A derived class makes
/// a fresh, empty database, and opens the same one again.
/// </summary>
public abstract class EventIndexContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 30, 10, 15, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<SqlEventIndex> _opened = [];
    private SqlEventIndex _index = null!;

    /// <summary>A fresh, empty database.</summary>
    protected abstract Task<EventIndexDatabase> CreateDatabaseAsync();

    /// <summary>The database made last, opened again (as a restarted node, or a second node, would).</summary>
    protected abstract Task<EventIndexDatabase> ReopenDatabaseAsync();

    public async Task InitializeAsync() => _index = Open(await CreateDatabaseAsync());

    public virtual async Task DisposeAsync()
    {
        foreach (var index in _opened)
        {
            await index.DisposeAsync();
        }
    }

    [Fact]
    public async Task Timeline_ReceivedThenDelivered_RecipientStateMovesOn()
    {
        Received("m1", Start, ["a@example.org", "b@example.org"]);
        Outcome(DeliveryEventType.TransientFailure, "m1", "a@example.org", Start.AddMinutes(1), "451 4.7.1 try later");
        Outcome(DeliveryEventType.Delivery, "m1", "a@example.org", Start.AddMinutes(5), "250 2.0.0 ok");
        Outcome(DeliveryEventType.Bounce, "m1", "b@example.org", Start.AddMinutes(5), "550 5.1.1 no such user");
        await _index.FlushAsync(CancellationToken.None);

        var message = await _index.GetAsync("m1", CancellationToken.None);
        var timeline = await _index.TimelineAsync("m1", CancellationToken.None);

        Assert.NotNull(message);
        Assert.Equal("Hello Wörld", message.Subject);
        Assert.Equal(["blue", "green"], message.Tags);
        Assert.Equal("mixed", message.State);
        Assert.Equal(("delivered", "250 2.0.0 ok"), (message.Recipients[0].State, message.Recipients[0].Reply));
        Assert.Equal("bounced", message.Recipients[1].State);
        Assert.Equal([DeliveryEventType.Reception, DeliveryEventType.Reception, DeliveryEventType.TransientFailure, DeliveryEventType.Delivery, DeliveryEventType.Bounce], timeline.Select(e => e.Type));
        Assert.Equal("sender@news.example", timeline[3].Sender);
    }

    [Fact]
    public async Task Search_EachCriterion_NarrowsTheResults()
    {
        Received("m1", Start, ["x@a.example"]);
        Received("m2", Start.AddMinutes(1), ["y@b.example"], sender: "other@shop.example", subject: "Your receipt", tags: ["receipt"]);
        Received("m3", Start.AddMinutes(2), ["x@a.example"], subject: "Second newsletter");
        Outcome(DeliveryEventType.Bounce, "m3", "x@a.example", Start.AddMinutes(3), "550 5.1.1 gone");
        await _index.FlushAsync(CancellationToken.None);

        Assert.Equal(["m3", "m1"], await Ids(new MessageQuery(Recipient: "X@A.example")));
        Assert.Equal(["m2"], await Ids(new MessageQuery(Sender: "@shop.example")));
        Assert.Equal(["m3", "m1"], await Ids(new MessageQuery(Sender: "sender@news.example")));
        Assert.Equal(["m2"], await Ids(new MessageQuery(Subject: "RECEIPT")));
        Assert.Equal(["m2"], await Ids(new MessageQuery(Tag: "receipt")));
        Assert.Empty(await Ids(new MessageQuery(Tag: "rece")));
        Assert.Equal(["m3"], await Ids(new MessageQuery(State: "bounced")));
        Assert.Equal(["m2", "m1"], await Ids(new MessageQuery(State: "queued")));
        Assert.Equal(["m2"], await Ids(new MessageQuery(From: Start.AddMinutes(1), To: Start.AddMinutes(2))));

        var first = await _index.SearchAsync(new MessageQuery(Limit: 2), CancellationToken.None);
        var second = await _index.SearchAsync(new MessageQuery(Limit: 2, Before: MessageCursor.Parse(first.Next!.Token)), CancellationToken.None);
        Assert.Equal(["m3", "m2"], first.Messages.Select(m => m.Id));
        Assert.Equal(["m1"], second.Messages.Select(m => m.Id));
        Assert.Null(second.Next);
    }

    [Fact]
    public async Task Stats_ByHourDayDomainAndTag_CountRecipients()
    {
        Received("m1", Start, ["a@x.example", "b@x.example"]);
        Outcome(DeliveryEventType.Delivery, "m1", "a@x.example", Start.AddMinutes(1), "250 ok");
        Outcome(DeliveryEventType.Bounce, "m1", "b@x.example", Start.AddHours(1), "550 no");
        Received("m2", Start.AddHours(1), ["c@x.example"], sender: "shop@shop.example", tags: ["receipt"]);
        _index.Write(new DeliveryEvent(Start.AddHours(1), DeliveryEventType.Suppression, "-", "d@x.example", null, null, 0, "suppressed", "suppressed", null, Sender: "shop@shop.example"), string.Empty);
        await _index.FlushAsync(CancellationToken.None);
        var day = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

        var hourly = await _index.StatsAsync(new StatsQuery(day, day.AddDays(1), StatsInterval.Hour), CancellationToken.None);
        var daily = await _index.StatsAsync(new StatsQuery(day, day.AddDays(1), StatsInterval.Day, StatsBreakdown.SenderDomain), CancellationToken.None);
        var tags = await _index.StatsAsync(new StatsQuery(day, day.AddDays(1), StatsInterval.Day, StatsBreakdown.Tag), CancellationToken.None);

        Assert.Equal([Start.AddMinutes(-15), Start.AddMinutes(45)], hourly.Select(r => r.Start));
        Assert.Equal((2, 1, 0), (hourly[0].Received, hourly[0].Delivered, hourly[0].Bounced));
        Assert.Equal((1, 1, 1), (hourly[1].Received, hourly[1].Bounced, hourly[1].Suppressed));
        var news = Assert.Single(daily, r => r.SenderDomain == "news.example");
        Assert.Equal((2, 1, 1), (news.Received, news.Delivered, news.Bounced));
        var shop = Assert.Single(daily, r => r.SenderDomain == "shop.example");
        Assert.Equal((1, 1), (shop.Received, shop.Suppressed));
        Assert.Equal(["blue", "green", "receipt"], tags.Select(r => r.Tag));
        Assert.Equal(2, tags[0].Received);
    }

    [Fact]
    public async Task ReadAfter_OnlyUnwantedTypes_ReadToPassesThem()
    {
        Received("m1", Start, ["a@x.example"]);
        Received("m2", Start, ["b@x.example"]);
        await _index.FlushAsync(CancellationToken.None);
        var last = await _index.LastSequenceAsync(CancellationToken.None);

        var (none, readTo) = await _index.ReadAfterAsync(0, EventNames.Bit(DeliveryEventType.Bounce), 10, CancellationToken.None);
        var (some, readToSome) = await _index.ReadAfterAsync(0, EventNames.Bit(DeliveryEventType.Reception), 1, CancellationToken.None);

        Assert.Empty(none);
        Assert.Equal(last, readTo);
        var only = Assert.Single(some);
        Assert.Equal(only.Sequence, readToSome);
        Assert.Equal("Hello Wörld", only.Event.Subject);
    }

    [Fact]
    public async Task GetAsync_MessageSubmittedWithAKey_KnowsItsCredential()
    {
        _index.Write(new DeliveryEvent(Start, DeliveryEventType.Reception, "m1", "a@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1, Credential: "shop"), string.Empty);
        await _index.FlushAsync(CancellationToken.None);

        Assert.Equal("shop", (await _index.GetAsync("m1", CancellationToken.None))?.Credential);
    }

    [Fact]
    public async Task Prune_PastMaxAge_RemovesOldMessagesKeepsStats()
    {
        Received("old", Start, ["a@x.example"]);
        await _index.FlushAsync(CancellationToken.None);
        await _index.DisposeAsync();
        _time.Advance(TimeSpan.FromDays(31));

        var later = Open(await ReopenDatabaseAsync());
        later.Write(new DeliveryEvent(_time.GetUtcNow(), DeliveryEventType.Reception, "new", "b@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1), string.Empty);
        await later.FlushAsync(CancellationToken.None);

        Assert.Null(await later.GetAsync("old", CancellationToken.None));
        Assert.Empty(await later.TimelineAsync("old", CancellationToken.None));
        Assert.NotNull(await later.GetAsync("new", CancellationToken.None));
        var stats = await later.StatsAsync(new StatsQuery(Start.AddDays(-1), Start.AddDays(1), StatsInterval.Day), CancellationToken.None);
        Assert.Equal(1, Assert.Single(stats).Received);
    }

    [Fact]
    public async Task TopReasons_Bounces_MostFrequentClassificationFirst()
    {
        Received("m1", Start, ["a@x.example", "b@x.example", "c@x.example"]);
        Outcome(DeliveryEventType.Bounce, "m1", "a@x.example", Start, "550 5.1.1 no user", "invalid_recipient");
        Outcome(DeliveryEventType.Bounce, "m1", "b@x.example", Start, "550 5.1.1 unknown", "invalid_recipient");
        Outcome(DeliveryEventType.Bounce, "m1", "c@x.example", Start, "554 5.7.1 spam", "policy");
        await _index.FlushAsync(CancellationToken.None);

        var reasons = await _index.TopReasonsAsync(DeliveryEventType.Bounce, Start.AddHours(-1), Start.AddHours(1), 10, CancellationToken.None);

        Assert.Equal([("invalid_recipient", 2L), ("policy", 1L)], reasons.Select(r => (r.Classification, r.Count)));
    }

    [Fact]
    public async Task Outcome_IndexedBeforeItsReception_StateAndStatisticsStillRight()
    {
        // Two nodes: the one that delivered indexes first, the one that received later — and wrote
        // its reception after the other had tried the message, so by the clocks the outcome is older.
        var receiving = Open(await ReopenDatabaseAsync());
        _index.Write(new DeliveryEvent(Start, DeliveryEventType.Delivery, "m1", "a@x.example", "x.example", "mx.x.example", 1, "250 ok", "delivered", 3, Sender: "s@shop.example", Tags: ["receipt"]), string.Empty);
        await _index.FlushAsync(CancellationToken.None);
        receiving.Write(new DeliveryEvent(Start.AddMilliseconds(3), DeliveryEventType.Reception, "m1", "A@x.example", null, "127.0.0.1", 0, null, "received", 0, Sender: "s@shop.example", Subject: "Receipt", Tags: ["receipt"], Size: 10), string.Empty);
        await receiving.FlushAsync(CancellationToken.None);

        var message = await _index.GetAsync("m1", CancellationToken.None);
        var timeline = await receiving.TimelineAsync("m1", CancellationToken.None);
        var stats = await _index.StatsAsync(new StatsQuery(Start.AddHours(-1), Start.AddHours(1), StatsInterval.Day, StatsBreakdown.Tag), CancellationToken.None);

        Assert.NotNull(message);
        Assert.Equal(("delivered", "250 ok"), (Assert.Single(message.Recipients).State, message.Recipients[0].Reply));
        Assert.Equal([DeliveryEventType.Reception, DeliveryEventType.Delivery], timeline.Select(e => e.Type));
        var receipt = Assert.Single(stats);
        Assert.Equal(("receipt", 1L, 1L), (receipt.Tag, receipt.Received, receipt.Delivered));
    }

    [Fact]
    public async Task Search_WildcardsInTheText_MatchedLiterally()
    {
        Received("m1", Start, ["a@x.example"], subject: "100% off_today");
        Received("m2", Start.AddMinutes(1), ["a@x.example"], subject: "1000 off today");
        await _index.FlushAsync(CancellationToken.None);

        Assert.Equal(["m1"], await Ids(new MessageQuery(Subject: "0% OFF_")));
        Assert.Empty(await Ids(new MessageQuery(Tag: "%")));
    }

    [Fact]
    public async Task Pending_MixedStates_OnlyMessagesWithRecipientsToSettleInIdOrder()
    {
        Received("m1", Start, ["a@x.example", "b@x.example"]);
        Received("m2", Start, ["c@x.example"]);
        Received("m3", Start, ["d@x.example"]);
        Received("m4", Start, ["e@x.example"]);
        Received("m0", Start.AddDays(-10), ["f@x.example"]);
        Outcome(DeliveryEventType.Delivery, "m1", "a@x.example", Start.AddMinutes(1), "250 ok");
        Outcome(DeliveryEventType.Delivery, "m2", "c@x.example", Start.AddMinutes(1), "250 ok");
        _index.Write(new DeliveryEvent(Start.AddMinutes(2), DeliveryEventType.TransientFailure, "m3", "d@x.example", "x.example", "mx.x.example", 3, "451 4.7.1 later", "transient", 5), string.Empty);
        _index.Write(new DeliveryEvent(Start.AddMinutes(3), DeliveryEventType.AdminAction, "m4", null, null, null, 0, "deleted by an operator", "delete", null), string.Empty);
        await _index.FlushAsync(CancellationToken.None);
        var since = Start.AddDays(-1);

        var all = await _index.PendingAsync(new PendingQuery(since), CancellationToken.None);
        var after = await _index.PendingAsync(new PendingQuery(since, After: "m1"), CancellationToken.None);
        var one = await _index.PendingAsync(new PendingQuery(since, Id: "m3"), CancellationToken.None);
        var delivered = await _index.PendingAsync(new PendingQuery(since, Id: "m2"), CancellationToken.None);

        Assert.Equal(["m1", "m3"], all.Select(p => p.Message.Id));
        Assert.Equal(["delivered", "queued"], all[0].Message.Recipients.Select(r => r.State));
        Assert.Equal(["m3"], after.Select(p => p.Message.Id));
        var m3 = Assert.Single(one);
        Assert.Equal((3, "deferred", "451 4.7.1 later"), (m3.Attempts, m3.Message.Recipients[0].State, m3.Message.Recipients[0].Reply));
        Assert.Empty(delivered);
        Assert.Equal("deleted", Assert.Single((await _index.GetAsync("m4", CancellationToken.None))!.Recipients).State);
    }

    [Fact]
    public async Task Pending_HeldThenReleasedByKey_HeldUntilItsKeyIsReleasedOthersStayHeld()
    {
        Received("m1", Start, ["a@x.example", "b@y.example"]);
        Received("m2", Start, ["c@x.example"]);
        Received("m3", Start, ["d@z.example"]);
        Held("m1", "a@x.example", Start.AddMinutes(1), "suspended:x.example");
        Held("m1", "b@y.example", Start.AddMinutes(1), "paused:sender@news.example");
        Held("m2", "c@x.example", Start.AddMinutes(1), "suspended:x.example");
        Held("m3", "d@z.example", Start.AddMinutes(1), "suspended:z.example");
        await _index.FlushAsync(CancellationToken.None);
        var since = Start.AddDays(-1);

        var held = await _index.PendingAsync(new PendingQuery(since), CancellationToken.None);
        Assert.Equal(["m1", "m2", "m3"], held.Select(p => p.Message.Id));
        Assert.All(held, p => Assert.All(p.Message.Recipients, r => Assert.Equal("held", r.State)));
        Assert.Equal("held", (await _index.GetAsync("m1", CancellationToken.None))!.State);
        Assert.Equal(["m3", "m2", "m1"], await Ids(new MessageQuery(State: "held")));

        // x.example resumed: its recipients are queued again, the paused sender's and z.example's stay held.
        _index.Write(new DeliveryEvent(Start.AddMinutes(2), DeliveryEventType.Release, "-", null, null, null, 0, null, "suspended:x.example", null), string.Empty);
        await _index.FlushAsync(CancellationToken.None);

        var after = await _index.PendingAsync(new PendingQuery(since), CancellationToken.None);
        Assert.Equal(["m1", "m2", "m3"], after.Select(p => p.Message.Id));
        Assert.Equal(["queued", "held"], after[0].Message.Recipients.Select(r => r.State));
        Assert.Equal("queued", after[1].Message.Recipients[0].State);
        Assert.Equal("held", after[2].Message.Recipients[0].State);

        // A hold indexed after the release (held again) is not undone by it; a delivery ends a held recipient like any other.
        Held("m2", "c@x.example", Start.AddMinutes(3), "suspended:x.example");
        Outcome(DeliveryEventType.Delivery, "m3", "d@z.example", Start.AddMinutes(3), "250 ok");
        await _index.FlushAsync(CancellationToken.None);
        Assert.Equal("held", (await _index.GetAsync("m2", CancellationToken.None))!.State);
        Assert.Equal("delivered", (await _index.GetAsync("m3", CancellationToken.None))!.State);
    }

    [Fact]
    public async Task WebhookStore_CursorDeadLettersAndRemoval_RoundTrip()
    {
        var store = new SqlWebhookStore(_index.Database);
        await store.AddAsync(new Webhook("wh1", new Uri("https://hooks.example/in"), "secret", EventNames.Bit(DeliveryEventType.Bounce), Start, true, 5), CancellationToken.None);

        await store.AdvanceAsync("wh1", 9, CancellationToken.None);
        await store.AdvanceAsync("wh1", 7, CancellationToken.None);
        await store.DeadLetterAsync(new WebhookDeadLetter(0, "wh1", Start, 3, "HTTP 500", 2, "{}"), 12, CancellationToken.None);
        var letters = await store.DeadLettersAsync("wh1", CancellationToken.None);
        await store.UpdateDeadLetterAsync(letters[0].Id, 4, "HTTP 502", Start.AddMinutes(1), CancellationToken.None);
        var updated = Assert.Single(await store.DeadLettersAsync("wh1", CancellationToken.None));
        Assert.True(await store.UpdateAsync("wh1", EventNames.Bit(DeliveryEventType.Delivery), false, CancellationToken.None));
        var webhook = await store.GetAsync("wh1", CancellationToken.None);
        await using (var claim = await store.ClaimAsync("wh1", CancellationToken.None))
        {
            Assert.NotNull(claim);
            Assert.True(await claim.HeldAsync(CancellationToken.None));
        }

        Assert.NotNull(webhook);
        Assert.Equal((12L, false, EventNames.Bit(DeliveryEventType.Delivery)), (webhook.Cursor, webhook.Enabled, webhook.EventMask));
        Assert.Equal((4, "HTTP 502", 2, "{}"), (updated.Attempts, updated.LastError, updated.EventCount, updated.Payload));
        Assert.True(await store.RemoveAsync("wh1", CancellationToken.None));
        Assert.Empty(await store.ListAsync(CancellationToken.None));
        Assert.Empty(await store.DeadLettersAsync("wh1", CancellationToken.None));
        Assert.False(await store.RemoveDeadLetterAsync(updated.Id, CancellationToken.None));
    }

    protected SqlEventIndex Open(EventIndexDatabase database)
    {
        var index = SqlEventIndex.Start(database, _time, NullLogger.Instance, batchInterval: TimeSpan.Zero);
        _opened.Add(index);
        return index;
    }

    private async Task<List<string>> Ids(MessageQuery query) => (await _index.SearchAsync(query, CancellationToken.None)).Messages.Select(m => m.Id).ToList();

    private void Received(string id, DateTimeOffset at, string[] recipients, string sender = "sender@news.example", string subject = "=?utf-8?q?Hello_W=C3=B6rld?=", string[]? tags = null)
    {
        foreach (var r in recipients)
        {
            _index.Write(new DeliveryEvent(at, DeliveryEventType.Reception, id, r, null, "127.0.0.1", 0, null, "received", 0, Sender: sender, Subject: subject, Tags: tags ?? ["blue", "green"], Size: 1234), string.Empty);
        }
    }

    private void Held(string id, string recipient, DateTimeOffset at, string holdKey)
        => _index.Write(new DeliveryEvent(at, DeliveryEventType.Hold, id, recipient, null, null, 0, null, holdKey, null), string.Empty);

    private void Outcome(DeliveryEventType type, string id, string recipient, DateTimeOffset at, string reply, string? classification = null)
        => _index.Write(new DeliveryEvent(at, type, id, recipient, "x.example", "mx.x.example", 1, reply, classification ?? type.ToString(), 12), string.Empty);
}
