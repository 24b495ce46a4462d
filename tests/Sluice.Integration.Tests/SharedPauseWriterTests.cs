using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Cluster;
using Sluice.Core.Events;
using Sluice.Core.State;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Reputation;
using Sluice.Storage.State;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>A sender pause made on this node reaches the cluster's store even when the database is away at that moment.</summary>
public sealed class SharedPauseWriterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly TestMeterFactory _meters = new();

    public void Dispose()
    {
        _meters.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Pause_DatabaseAwayTwice_WrittenOnceItAnswers()
    {
        var store = new FlakyPauseStore(failures: 2);
        var reputation = Reputation();
        using var writer = new SharedPauseWriter(reputation, store, _time, NullLogger<SharedPauseWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        Assert.True(SenderKey.TryParse("sender_domain:shop.example", out var key));

        reputation.Pause(new SenderPause(key, Now, Now.AddHours(1), PauseCause.Operator, "checking"));
        await Poll.UntilAsync(() => Task.FromResult(store.Attempts == 1), TimeSpan.FromSeconds(10), "the first try");
        await AdvanceUntilAsync(() => store.Attempts == 2, "the second try");
        Assert.True(_time.GetUtcNow() - Now >= TimeSpan.FromSeconds(1), "tried again before its first wait (1 s)");
        await AdvanceUntilAsync(() => store.Written is not null, "written on the third try");
        Assert.True(_time.GetUtcNow() - Now >= TimeSpan.FromSeconds(3), "tried a third time before its doubled wait (1 s, then 2 s)");

        Assert.Equal(("sender_domain:shop.example", "checking", 3), (store.Written!.Sender, store.Written.Reason, store.Attempts));
        await Poll.UntilAsync(() => Task.FromResult(writer.Writing == 0), TimeSpan.FromSeconds(10), "nothing left to write");
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Pause_DatabaseAwayUntilThePauseEnds_GivenUp()
    {
        var store = new FlakyPauseStore(failures: int.MaxValue);
        var reputation = Reputation();
        using var writer = new SharedPauseWriter(reputation, store, _time, NullLogger<SharedPauseWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        Assert.True(SenderKey.TryParse("sender_domain:short.example", out var key));

        reputation.Pause(new SenderPause(key, Now, Now.AddSeconds(2), PauseCause.Operator, "brief"));
        await Poll.UntilAsync(() => Task.FromResult(store.Attempts == 1), TimeSpan.FromSeconds(10), "the first try");

        // The second try comes a second later, the third would come after the pause's end: the writer gives up.
        await AdvanceUntilAsync(() => writer.Writing == 0, "the writer gave up");
        Assert.Equal(2, store.Attempts);
        await writer.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Moves the fake clock on a tenth of a second at a time until <paramref name="condition"/> holds:
    /// a timer the writer sets a moment after the check still fires (one big step could come first).
    /// </summary>
    private Task AdvanceUntilAsync(Func<bool> condition, string what)
        => Poll.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return Task.FromResult(true);
                }

                _time.Advance(TimeSpan.FromMilliseconds(100));
                return Task.FromResult(false);
            },
            TimeSpan.FromSeconds(20),
            what);

    private SenderReputation Reputation()
    {
        var options = new ReputationOptions();
        var stores = SqliteStateDatabase.Open(_dir.Path);
        return new SenderReputation(
            new SenderRates(options, _time),
            new SenderPauses(_time),
            options,
            new Delivery.Feedback.FeedbackOptions(),
            stores,
            new SuppressionList(),
            stores,
            new DeliveryEventLog(Path.Combine(_dir.Path, "events"), _time),
            new SluiceMetrics(_meters),
            _time,
            NullLogger<SenderReputation>.Instance);
    }

    private sealed class FlakyPauseStore(int failures) : ISenderPauseStore
    {
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public SharedSenderPause? Written { get; private set; }

        public Task PauseAsync(SharedSenderPause pause, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _attempts) <= failures)
            {
                throw new Microsoft.Data.Sqlite.SqliteException("database unreachable (test)", 10);
            }

            Written = pause;
            return Task.CompletedTask;
        }

        public Task<bool> ResumeSenderAsync(string sender, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<IReadOnlyList<SharedSenderPause>> ListPausesAsync(DateTimeOffset now, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<SharedSenderPause>>([]);
    }
}
