using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Events;
using Sluice.Storage.Events;
using Sluice.Testing;

namespace Sluice.Storage.Tests;

public sealed class SqliteEventIndexTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 10, 15, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly SqliteEventIndex _index;

    public SqliteEventIndexTests() => _index = Open();

    public async ValueTask DisposeAsync()
    {
        await _index.DisposeAsync();
        _dir.Dispose();
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
    public async Task Open_IndexFromBeforeCredentials_GainsTheColumn()
    {
        await _index.DisposeAsync();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(_dir.Path, "events.db")))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE messages DROP COLUMN credential";
            command.ExecuteNonQuery();
        }

        await using var reopened = Open();
        reopened.Write(new DeliveryEvent(Start, DeliveryEventType.Reception, "m2", "a@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1, Credential: "crm"), string.Empty);
        await reopened.FlushAsync(CancellationToken.None);
        Assert.Equal("crm", (await reopened.GetAsync("m2", CancellationToken.None))?.Credential);
    }

    [Fact]
    public async Task Reopen_AfterDispose_KeepsEventsAndSequence()
    {
        Received("m1", Start, ["a@x.example"]);
        await _index.FlushAsync(CancellationToken.None);
        var last = await _index.LastSequenceAsync(CancellationToken.None);
        await _index.DisposeAsync();

        await using var reopened = Open();

        Assert.Equal(last, await reopened.LastSequenceAsync(CancellationToken.None));
        Assert.NotNull(await reopened.GetAsync("m1", CancellationToken.None));
        var waiting = reopened.WaitForEventsAsync(last, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        reopened.Write(new DeliveryEvent(Start, DeliveryEventType.Delivery, "m1", "a@x.example", null, null, 1, "250 ok", "delivered", null), string.Empty);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Prune_PastMaxAge_RemovesOldMessagesKeepsStats()
    {
        Received("old", Start, ["a@x.example"]);
        await _index.FlushAsync(CancellationToken.None);
        await _index.DisposeAsync();
        _time.Advance(TimeSpan.FromDays(31));

        await using var later = Open();
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
    public async Task Write_WhileTheDiskIsShort_DroppedAndCountedThenIndexedAgain()
    {
        var shortOfSpace = true;
        await using var index = SqliteEventIndex.Open(Path.Combine(_dir.Path, "short"), _time, NullLogger.Instance, batchInterval: TimeSpan.Zero, mayWrite: () => !shortOfSpace);
        index.Write(new DeliveryEvent(Start, DeliveryEventType.Reception, "lost", "a@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1), string.Empty);
        await index.FlushAsync(CancellationToken.None);

        Assert.Equal(1, index.Dropped);
        Assert.Null(await index.GetAsync("lost", CancellationToken.None));

        shortOfSpace = false;
        index.Write(new DeliveryEvent(Start, DeliveryEventType.Reception, "kept", "a@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1), string.Empty);
        await index.FlushAsync(CancellationToken.None);
        Assert.NotNull(await index.GetAsync("kept", CancellationToken.None));
    }

    private SqliteEventIndex Open() => SqliteEventIndex.Open(_dir.Path, _time, NullLogger.Instance, batchInterval: TimeSpan.Zero);

    private async Task<List<string>> Ids(MessageQuery query) => (await _index.SearchAsync(query, CancellationToken.None)).Messages.Select(m => m.Id).ToList();

    private void Received(string id, DateTimeOffset at, string[] recipients, string sender = "sender@news.example", string subject = "=?utf-8?q?Hello_W=C3=B6rld?=", string[]? tags = null)
    {
        foreach (var r in recipients)
        {
            _index.Write(new DeliveryEvent(at, DeliveryEventType.Reception, id, r, null, "127.0.0.1", 0, null, "received", 0, Sender: sender, Subject: subject, Tags: tags ?? ["blue", "green"], Size: 1234), string.Empty);
        }
    }

    private void Outcome(DeliveryEventType type, string id, string recipient, DateTimeOffset at, string reply, string? classification = null)
        => _index.Write(new DeliveryEvent(at, type, id, recipient, "x.example", "mx.x.example", 1, reply, classification ?? type.ToString(), 12), string.Empty);
}
