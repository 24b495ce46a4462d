using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Core.State;
using Sluice.Testing;

namespace Sluice.Postgres.Tests;

/// <summary>A change committed through one node's store reaches every node's observer; a rolled-back one reaches none; a lost connection ends in a resync.</summary>
[Collection(nameof(SharedPostgres))]
public sealed class StateChangeListenerTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Changes_CommittedThroughAnotherStore_ReachTheObserverByKind()
    {
        await using var database = await postgres.OpenDatabaseAsync();
        var observer = new RecordingObserver();
        using var listener = await ListenAsync(database, observer);
        var store = database.CreateStateStore();

        await store.UpsertAsync([new Suppression("Bob@Example.test", null, SuppressionReason.Bounce, Now)], CancellationToken.None);
        await store.UpsertAsync([.. Enumerable.Range(0, 150).Select(i => new Suppression($"u{i}@example.test", null, SuppressionReason.Manual, Now))], CancellationToken.None);
        var (_, id, hash) = ApiKeyToken.Create();
        await store.AddAsync(new ApiKey(id, "ci", ApiScopes.Send, Now), hash, CancellationToken.None);
        await store.RevokeAsync(id, Now, CancellationToken.None);
        await store.AddAsync(new Template("welcome", 1, "Welcome", "Hi", null, "hi", Now), CancellationToken.None);
        await store.RemoveSuppressionAsync("bob@example.test", null, CancellationToken.None);

        StateChange[] expected =
        [
            new(StateChangeKind.Suppression, "bob@example.test"),
            new(StateChangeKind.Suppressions, string.Empty),
            new(StateChangeKind.ApiKey, id),
            new(StateChangeKind.ApiKey, id),
            new(StateChangeKind.Template, "welcome"),
            new(StateChangeKind.Suppression, "bob@example.test"),
        ];
        await Poll.UntilAsync(() => Task.FromResult(observer.Changes.Count >= expected.Length), Deadline, "six announced changes", () => string.Join(", ", observer.Changes));
        Assert.Equal(expected, observer.Changes);
        await listener.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Change_RolledBackOrNoRowTouched_IsNotAnnounced()
    {
        await using var database = await postgres.OpenDatabaseAsync();
        var observer = new RecordingObserver();
        using var listener = await ListenAsync(database, observer);
        var store = database.CreateStateStore();
        await store.AddAsync(new Template("t", 1, "T", null, null, "x", Now), CancellationToken.None);

        // The same id and version again violates the key: the transaction, its announcement with it, rolls back.
        await Assert.ThrowsAsync<PostgresException>(() => store.AddAsync(new Template("t", 1, "T", null, null, "y", Now), CancellationToken.None));
        Assert.False(await store.RevokeAsync("no-such-key", Now, CancellationToken.None));
        await store.AddAsync(new Template("marker", 1, "M", null, null, "x", Now), CancellationToken.None);

        await Poll.UntilAsync(() => Task.FromResult(observer.Changes.Contains(new StateChange(StateChangeKind.Template, "marker"))), Deadline, "the marker's announcement");
        Assert.Equal([new StateChange(StateChangeKind.Template, "t"), new StateChange(StateChangeKind.Template, "marker")], observer.Changes);
        await listener.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Listener_ConnectionKilled_ReconnectsAndResyncs()
    {
        await using var database = await postgres.OpenDatabaseAsync();
        var observer = new RecordingObserver();
        using var listener = await ListenAsync(database, observer);
        Assert.Equal(1, observer.Resyncs);

        await using (var admin = new NpgsqlConnection(postgres.Server.ConnectionString))
        {
            var name = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString).Database;
            var killed = await admin.ExecuteScalarAsync<long>(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @name AND query LIKE 'LISTEN%'", new { name });
            Assert.True(killed >= 1);
        }

        await Poll.UntilAsync(() => Task.FromResult(observer.Resyncs >= 2), Deadline, "a resync after the connection was killed");
        await database.CreateStateStore().AddAsync(new Template("after", 1, "A", null, null, "x", Now), CancellationToken.None);
        await Poll.UntilAsync(() => Task.FromResult(observer.Changes.Contains(new StateChange(StateChangeKind.Template, "after"))), Deadline, "a change announced after the reconnection");
        await listener.StopAsync(CancellationToken.None);
    }

    private static async Task<StateChangeListener> ListenAsync(PostgresDatabase database, IStateChangeObserver observer)
    {
        var listener = new StateChangeListener(database, observer, TimeProvider.System, NullLogger<StateChangeListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        await listener.Listening.WaitAsync(Deadline);
        return listener;
    }

    private sealed class RecordingObserver : IStateChangeObserver
    {
        private readonly ConcurrentQueue<StateChange> _changes = new();
        private int _resyncs;

        public IReadOnlyList<StateChange> Changes => [.. _changes];

        public int Resyncs => Volatile.Read(ref _resyncs);

        public Task OnChangedAsync(StateChange change, CancellationToken cancellationToken)
        {
            _changes.Enqueue(change);
            return Task.CompletedTask;
        }

        public Task OnResyncAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _resyncs);
            return Task.CompletedTask;
        }
    }
}
