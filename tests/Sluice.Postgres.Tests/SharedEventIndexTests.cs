using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Core.Events;
using Sluice.Core.Webhooks;
using Sluice.Testing;

namespace Sluice.Postgres.Tests;

/// <summary>What the shared index does that one node's does not: several writers, one order of sequence numbers, webhook claims, a database that goes away.</summary>
[Collection(nameof(SharedPostgres))]
public sealed class SharedEventIndexTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];
    private string _connectionString = string.Empty;

    public async Task InitializeAsync() => _connectionString = await postgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    [Fact]
    public async Task ReadAfter_TwoNodesWritingAtOnce_ReaderSeesEveryEventOnce()
    {
        var a = await NodeAsync(TimeSpan.FromMilliseconds(5));
        var b = await NodeAsync(TimeSpan.FromMilliseconds(7));
        var reader = await NodeAsync(TimeSpan.Zero);
        const int PerNode = 1500;
        var seen = new List<string>();
        using var done = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            // A webhook's loop: read after the cursor, move it to what was read, again.
            long cursor = 0;
            while (seen.Count < 2 * PerNode && !done.IsCancellationRequested)
            {
                var (events, readTo) = await reader.ReadAfterAsync(cursor, EventNames.Bit(DeliveryEventType.Reception), 50, CancellationToken.None);
                seen.AddRange(events.Select(e => e.Event.MessageId));
                cursor = readTo;
            }
        });

        var writing = new[] { a, b }.Select((node, n) => Task.Run(async () =>
        {
            for (var i = 0; i < PerNode; i++)
            {
                node.Write(Reception($"n{n}-{i}"), string.Empty);
                if (i % 20 == 0)
                {
                    await Task.Yield();
                }
            }

            await node.FlushAsync(CancellationToken.None);
        })).ToArray();
        await Task.WhenAll(writing);
        done.CancelAfter(TimeSpan.FromSeconds(30));
        await reading;

        Assert.Equal(2 * PerNode, seen.Count);
        Assert.Equal(2 * PerNode, seen.Distinct().Count());
    }

    [Fact]
    public async Task WebhookClaim_HeldByOneNode_TheOtherTakesItWhenReleasedOrItsHolderIsGone()
    {
        var a = new SqlWebhookStore((await NodeAsync(TimeSpan.Zero)).Database);
        var b = new SqlWebhookStore((await NodeAsync(TimeSpan.Zero)).Database);

        var first = await a.ClaimAsync("wh1", CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await b.ClaimAsync("wh1", CancellationToken.None));
        await using (var other = await b.ClaimAsync("wh2", CancellationToken.None))
        {
            Assert.NotNull(other);
        }

        await first.DisposeAsync();
        var second = await b.ClaimAsync("wh1", CancellationToken.None);
        Assert.NotNull(second);

        // The holder's connection dies (as with a node killed): its claim is lost and free to take.
        await using (var admin = new NpgsqlConnection(_connectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()", admin);
            await kill.ExecuteNonQueryAsync();
        }

        Assert.False(await second.HeldAsync(CancellationToken.None));
        await using var third = await Poll.ForAsync(() => a.ClaimAsync("wh1", CancellationToken.None), c => c is not null, TimeSpan.FromSeconds(10), "the freed claim taken");
        Assert.True(await third!.HeldAsync(CancellationToken.None));
        await second.DisposeAsync();
    }

    [Fact]
    public async Task Write_DatabaseRestarted_EventsKeptAndWrittenWhenItIsBack()
    {
        var log = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        var node = await NodeAsync(TimeSpan.FromMilliseconds(20), log);
        node.Write(Reception("before"), string.Empty);
        await node.FlushAsync(CancellationToken.None);

        postgres.Server.Stop();
        for (var i = 0; i < 20; i++)
        {
            node.Write(Reception($"during-{i}"), string.Empty);
        }

        // The writer has tried them against the stopped server and kept them (event 3104).
        await Poll.UntilAsync(() => Task.FromResult(log.Collector.GetSnapshot().Any(r => r.Id.Id == 3104)), TimeSpan.FromSeconds(10), "a write tried and kept for later");
        Assert.Equal(20, node.Backlog);
        await postgres.Server.StartAgainAsync();
        await node.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, node.Dropped);
        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull(await node.GetAsync($"during-{i}", CancellationToken.None));
        }
    }

    private static DeliveryEvent Reception(string id)
        => new(DateTimeOffset.UtcNow, DeliveryEventType.Reception, id, "r@x.example", null, null, 0, null, "received", 0, Sender: "s@x.example", Size: 1);

    private async Task<SqlEventIndex> NodeAsync(TimeSpan batchInterval, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var database = await PostgresDatabase.OpenAsync(new PostgresOptions { ConnectionString = _connectionString }, TimeProvider.System, NullLogger.Instance, CancellationToken.None);
        _owned.Add(database);
        var index = SqlEventIndex.Start(new PostgresEventDatabase(database), TimeProvider.System, logger ?? NullLogger.Instance, batchInterval: batchInterval);
        _owned.Add(index);
        return index;
    }
}
