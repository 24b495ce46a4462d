using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage.Tests;

/// <summary>New messages handed to the engine without a lease statement (<see cref="FreshLane"/>).</summary>
public sealed partial class SqliteSpoolTests
{
    [Fact]
    public async Task EnqueueAsync_EngineHasRoom_IsStoredLeasedAndHandedOverFromMemory()
    {
        await using var spool = Open();
        Assert.Empty(await spool.LeaseAsync(10, CancellationToken.None)); // nothing due: the engine has room for 10

        var id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        var stored = await spool.GetAsync(id, CancellationToken.None);
        var leased = await spool.LeaseAsync(10, CancellationToken.None);
        var again = await spool.LeaseAsync(10, CancellationToken.None);

        Assert.Equal(QueueMessageState.InFlight, stored!.State);
        var entry = Assert.Single(leased);
        Assert.Equal(id, entry.Id);
        Assert.Equal(QueueMessageState.InFlight, entry.State);
        Assert.Equal(0, entry.Attempts);
        Assert.Equal(["b@example.org"], entry.Envelope.Recipients.Select(r => r.Address));
        Assert.Empty(again);
    }

    [Fact]
    public async Task EnqueueAsync_EngineHasNoRoom_WaitsInTheDatabaseUntilLeased()
    {
        await using var spool = Open();
        await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        Assert.Single(await spool.LeaseAsync(1, CancellationToken.None)); // as many as asked: no room left

        var id = await EnqueueAsync(spool, "y\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        var stored = await spool.GetAsync(id, CancellationToken.None);
        var leased = await spool.LeaseAsync(10, CancellationToken.None);

        Assert.Equal(QueueMessageState.Queued, stored!.State);
        Assert.Equal(id, Assert.Single(leased).Id);
    }

    [Fact]
    public async Task Open_AfterMessagesHandedOverButNotTaken_ReleasesThem()
    {
        MessageId id;
        await using (var spool = Open())
        {
            Assert.Empty(await spool.LeaseAsync(10, CancellationToken.None));
            id = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        }

        await using var reopened = Open();
        Assert.Equal(id, Assert.Single(await reopened.LeaseAsync(10, CancellationToken.None)).Id);
    }

    [Fact]
    public async Task LeaseAsync_DeferredMessageFallsDueWhileNewOnesAreHandedOver_IsLeasedToo()
    {
        await using var spool = Open();
        var deferred = await EnqueueAsync(spool, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        Assert.Single(await spool.LeaseAsync(10, CancellationToken.None));
        Assert.True(await spool.DeferAsync(deferred, _time.GetUtcNow().AddMinutes(5), "451 later", null, CancellationToken.None));
        Assert.Empty(await spool.LeaseAsync(10, CancellationToken.None));

        _time.Advance(TimeSpan.FromMinutes(5));
        var fresh = await EnqueueAsync(spool, "y\r\n"u8.ToArray(), "a@example.com", "b@example.org");
        var leased = await spool.LeaseAsync(10, CancellationToken.None);

        Assert.Equal(new[] { deferred.Value, fresh.Value }.Order(StringComparer.Ordinal), leased.Select(e => e.Id.Value).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Whatever the order of stores, leases, deferrals, holds, releases, acks and time: a lease of N
    /// returns only messages that are due and not in hand, never one twice, and as many as there are
    /// up to N (none is left behind in memory or the database); a reopen releases every message.
    /// </summary>
    [Property(MaxTest = 40)]
    public Property LeaseAsync_AnyScript_ReturnsExactlyWhatIsDueUpToMax()
    {
        var steps = Gen.ListOf(Gen.Choose(0, 6).SelectMany(kind => Gen.Choose(0, 5).Select(arg => (kind, arg))));
        return Prop.ForAll(steps.ToArbitrary(), script => Task.Run(() => RunScriptAsync(script)).GetAwaiter().GetResult());
    }

    private async Task<bool> RunScriptAsync(IEnumerable<(int Kind, int Arg)> script)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var ids = new MessageIdGenerator(time);
        var folder = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        var waiting = new Dictionary<MessageId, DateTimeOffset>();
        var held = new Dictionary<MessageId, DateTimeOffset>();
        var inHand = new List<(MessageId Id, DateTimeOffset Due)>();
        var spool = SqliteSpool.Open(new SpoolOptions { Directory = folder }, time, NullLogger.Instance);
        try
        {
            foreach (var (kind, arg) in script)
            {
                var now = time.GetUtcNow();
                switch (kind)
                {
                    case 0:
                        waiting[await EnqueueAsync(spool, ids, time, folder, "x\r\n"u8.ToArray(), "a@example.com", "b@example.org")] = now;
                        break;
                    case 1:
                        var max = arg + 1;
                        var leased = await spool.LeaseAsync(max, CancellationToken.None);
                        var due = waiting.Where(w => w.Value <= now).Select(w => w.Key).ToHashSet();
                        if (leased.Count != Math.Min(max, due.Count) || leased.Select(e => e.Id).Distinct().Count() != leased.Count || !leased.All(e => due.Contains(e.Id)))
                        {
                            return false;
                        }

                        foreach (var entry in leased)
                        {
                            inHand.Add((entry.Id, waiting[entry.Id]));
                            waiting.Remove(entry.Id);
                        }

                        break;
                    case 2 when inHand.Count > 0:
                        var deferred = Take(inHand, arg);
                        var until = now.AddMinutes(arg % 3);
                        await spool.DeferAsync(deferred.Id, until, "451 later", null, CancellationToken.None);
                        waiting[deferred.Id] = until;
                        break;
                    case 3 when inHand.Count > 0:
                        await spool.AckAsync(Take(inHand, arg).Id, CancellationToken.None);
                        break;
                    case 4 when inHand.Count > 0:
                        var kept = Take(inHand, arg);
                        await spool.HoldAsync(kept.Id, "queue:k", null, CancellationToken.None);
                        held[kept.Id] = kept.Due;
                        break;
                    case 5:
                        await spool.ReleaseHeldAsync("queue:k", 100, CancellationToken.None);
                        foreach (var (heldId, heldDue) in held)
                        {
                            waiting[heldId] = heldDue;
                        }

                        held.Clear();
                        break;
                    case 6:
                        time.Advance(TimeSpan.FromMinutes(arg % 3));
                        break;
                }
            }
        }
        finally
        {
            await spool.DisposeAsync();
        }

        // Every message not acknowledged comes back after a reopen (leases and holds are the process's).
        time.Advance(TimeSpan.FromDays(1));
        await using var reopened = SqliteSpool.Open(new SpoolOptions { Directory = folder }, time, NullLogger.Instance);
        var all = await reopened.LeaseAsync(1000, CancellationToken.None);
        var expected = waiting.Keys.Concat(held.Keys).Concat(inHand.Select(h => h.Id)).Select(i => i.Value).Order(StringComparer.Ordinal);
        return expected.SequenceEqual(all.Select(e => e.Id.Value).Order(StringComparer.Ordinal));
    }

    private static (MessageId Id, DateTimeOffset Due) Take(List<(MessageId Id, DateTimeOffset Due)> inHand, int index)
    {
        var taken = inHand[index % inHand.Count];
        inHand.Remove(taken);
        return taken;
    }
}
