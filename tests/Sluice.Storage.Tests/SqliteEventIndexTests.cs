using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Events;
using Sluice.Storage.Events;
using Sluice.Testing;
using Sluice.Testing.Contracts;

namespace Sluice.Storage.Tests;

/// <summary>The message index contract on the embedded events.db, and what only it does (its own schema upgrade, the disk reserve, sequence numbers kept across a restart).</summary>
public sealed class SqliteEventIndexTests : EventIndexContract, IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _dir.Dispose();

    protected override Task<EventIndexDatabase> CreateDatabaseAsync() => Task.FromResult<EventIndexDatabase>(SqliteEventDatabase.Open(_dir.Path));

    protected override Task<EventIndexDatabase> ReopenDatabaseAsync() => CreateDatabaseAsync();

    [Fact]
    public async Task Open_IndexFromBeforeCredentials_GainsTheColumn()
    {
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(_dir.Path, "events.db")))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE messages DROP COLUMN credential";
            command.ExecuteNonQuery();
        }

        await using var reopened = OpenHere();
        reopened.Write(new DeliveryEvent(Start, DeliveryEventType.Reception, "m2", "a@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1, Credential: "crm"), string.Empty);
        await reopened.FlushAsync(CancellationToken.None);
        Assert.Equal("crm", (await reopened.GetAsync("m2", CancellationToken.None))?.Credential);
    }

    [Fact]
    public async Task Reopen_AfterDispose_KeepsEventsAndSequence()
    {
        var first = OpenHere();
        first.Write(new DeliveryEvent(Start, DeliveryEventType.Reception, "m1", "a@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1), string.Empty);
        await first.FlushAsync(CancellationToken.None);
        var last = await first.LastSequenceAsync(CancellationToken.None);
        await first.DisposeAsync();

        await using var reopened = OpenHere();

        Assert.Equal(last, await reopened.LastSequenceAsync(CancellationToken.None));
        Assert.NotNull(await reopened.GetAsync("m1", CancellationToken.None));
        var waiting = reopened.WaitForEventsAsync(last, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        reopened.Write(new DeliveryEvent(Start, DeliveryEventType.Delivery, "m1", "a@x.example", null, null, 1, "250 ok", "delivered", null), string.Empty);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Write_WhileTheDiskIsShort_DroppedAndCountedThenIndexedAgain()
    {
        var shortOfSpace = true;
        await using var index = SqlEventIndex.Start(SqliteEventDatabase.Open(Path.Combine(_dir.Path, "short"), mayWrite: () => !shortOfSpace), _time, NullLogger.Instance, batchInterval: TimeSpan.Zero);
        index.Write(new DeliveryEvent(Start, DeliveryEventType.Reception, "lost", "a@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1), string.Empty);
        await index.FlushAsync(CancellationToken.None);

        Assert.Equal(1, index.Dropped);
        Assert.Null(await index.GetAsync("lost", CancellationToken.None));

        shortOfSpace = false;
        index.Write(new DeliveryEvent(Start, DeliveryEventType.Reception, "kept", "a@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1), string.Empty);
        await index.FlushAsync(CancellationToken.None);
        Assert.NotNull(await index.GetAsync("kept", CancellationToken.None));
    }

    private SqlEventIndex OpenHere() => SqlEventIndex.Start(SqliteEventDatabase.Open(_dir.Path), _time, NullLogger.Instance, batchInterval: TimeSpan.Zero);
}
