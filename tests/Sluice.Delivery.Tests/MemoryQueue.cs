using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Delivery.Tests;

/// <summary>
/// An in-memory <see cref="IMessageQueue"/> with the seam's semantics on a given clock (due times,
/// lease until settled, holds by key, a wake-up): enough to drive the scheduler in unit tests.
/// </summary>
internal sealed class MemoryQueue(TimeProvider time) : IMessageQueue
{
    private readonly Lock _lock = new();
    private readonly List<Row> _rows = [];
    private TaskCompletionSource _work = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _pending;

    public int LeaseCalls { get; private set; }

    public int Leased => Count(QueueMessageState.InFlight);

    public int Acked { get; private set; }

    public int Count(QueueMessageState state)
    {
        lock (_lock)
        {
            return _rows.Count(r => r.Entry.State == state);
        }
    }

    public QueueEntry Add(string recipient, TimeSpan dueIn) => Add([recipient], dueIn);

    public QueueEntry Add(IReadOnlyList<string> recipients, TimeSpan dueIn)
    {
        var now = time.GetUtcNow();
        var envelope = new Envelope("s@src.test", [.. recipients.Select(r => new EnvelopeRecipient(r))]);
        var entry = new QueueEntry(new MessageId(Guid.NewGuid().ToString("N")[..26].ToUpperInvariant()), envelope, 3, now, QueueMessageState.Queued, 0, now + dueIn, null);
        lock (_lock)
        {
            _rows.Add(new Row { Entry = entry });
        }

        return entry;
    }

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, MessageId id, DateTimeOffset receivedAt, MessageBuffer content, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _rows.Add(new Row { Entry = new QueueEntry(id, envelope, content.Length, receivedAt, QueueMessageState.Queued, 0, receivedAt, null) });
        }

        Wake();
        return ValueTask.FromResult(EnqueueResult.Stored);
    }

    public ValueTask<IReadOnlyList<QueueEntry>> LeaseAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            LeaseCalls++;
            var leased = new List<QueueEntry>();
            foreach (var row in _rows.Where(r => r.Entry.State == QueueMessageState.Queued && r.Entry.NextAttemptAt <= now).OrderBy(r => r.Entry.NextAttemptAt).Take(max))
            {
                row.Entry = row.Entry with { State = QueueMessageState.InFlight };
                leased.Add(row.Entry);
            }

            return ValueTask.FromResult<IReadOnlyList<QueueEntry>>(leased);
        }
    }

    public ValueTask<bool> AckAsync(MessageId id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Acked += _rows.RemoveAll(r => r.Entry.Id == id);
        }

        return ValueTask.FromResult(true);
    }

    public ValueTask<bool> DeferAsync(MessageId id, DateTimeOffset until, string? lastReply, Envelope? remaining, CancellationToken cancellationToken)
        => Update(id, e => e with { State = QueueMessageState.Queued, Attempts = e.Attempts + 1, NextAttemptAt = until, LastReply = lastReply, Envelope = remaining ?? e.Envelope });

    /// <summary>While set, hold writes wait for it (a hold written late, as on a full disk or behind a slow domain of the same message).</summary>
    public TaskCompletionSource? HoldGate { get; set; }

    public int HoldCalls { get; private set; }

    public int ReleaseCalls { get; private set; }

    public QueueEntry? Find(MessageId id)
    {
        lock (_lock)
        {
            return _rows.SingleOrDefault(r => r.Entry.Id == id)?.Entry;
        }
    }

    /// <summary>The key a held message waits for (null when it is not held).</summary>
    public string? HoldKeyOf(MessageId id)
    {
        lock (_lock)
        {
            return _rows.SingleOrDefault(r => r.Entry.Id == id)?.HoldKey;
        }
    }

    public async ValueTask<bool> HoldAsync(MessageId id, string holdKey, Envelope? remaining, CancellationToken cancellationToken)
    {
        Task? gate;
        lock (_lock)
        {
            HoldCalls++;
            gate = HoldGate?.Task;
        }

        if (gate is not null)
        {
            await gate.ConfigureAwait(false);
        }

        lock (_lock)
        {
            var row = _rows.Single(r => r.Entry.Id == id);
            row.Entry = row.Entry with { State = QueueMessageState.Held, Envelope = remaining ?? row.Entry.Envelope };
            row.HoldKey = holdKey;
        }

        return true;
    }

    public ValueTask<long> ReleaseHeldAsync(string holdKey, int max, CancellationToken cancellationToken)
    {
        long released = 0;
        lock (_lock)
        {
            ReleaseCalls++;
            foreach (var row in _rows.Where(r => r.Entry.State == QueueMessageState.Held && r.HoldKey == holdKey).Take(max))
            {
                row.Entry = row.Entry with { State = QueueMessageState.Queued };
                row.HoldKey = null;
                released++;
            }
        }

        Wake();
        return ValueTask.FromResult(released);
    }

    public ValueTask<bool> DeadLetterAsync(MessageId id, string? lastReply, CancellationToken cancellationToken)
        => Update(id, e => e with { State = QueueMessageState.DeadLetter, LastReply = lastReply });

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            Task signal;
            lock (_lock)
            {
                if (_pending)
                {
                    _pending = false;
                    return;
                }

                signal = _work.Task;
            }

            await Task.WhenAny(signal, Task.Delay(timeout, time, cancellationToken)).ConfigureAwait(false);
            lock (_lock)
            {
                _pending = false;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public ValueTask<Stream?> OpenContentAsync(MessageId id, CancellationToken cancellationToken)
        => ValueTask.FromResult<Stream?>(new MemoryStream("Subject: memory queue\r\n\r\nx\r\n"u8.ToArray()));

    public ValueTask<QueueEntry?> GetAsync(MessageId id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_rows.SingleOrDefault(r => r.Entry.Id == id)?.Entry);
        }
    }

    public ValueTask<QueueSummary> GetSummaryAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<QueuePage> ListAsync(int limit, string? cursor, QueueFilter filter, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<long> FlushAsync(QueueFilter filter, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<long> DeleteAsync(QueueFilter filter, bool dryRun, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<bool> IsWritableAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    private ValueTask<bool> Update(MessageId id, Func<QueueEntry, QueueEntry> change)
    {
        lock (_lock)
        {
            var row = _rows.Single(r => r.Entry.Id == id);
            row.Entry = change(row.Entry);
        }

        return ValueTask.FromResult(true);
    }

    private void Wake()
    {
        TaskCompletionSource done;
        lock (_lock)
        {
            _pending = true;
            done = _work;
            _work = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }

    private sealed class Row
    {
        public required QueueEntry Entry { get; set; }

        public string? HoldKey { get; set; }
    }
}
