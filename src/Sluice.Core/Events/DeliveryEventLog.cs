using System.Globalization;

namespace Sluice.Core.Events;

/// <summary>
/// Appends one JSON object per line (ECS, <see cref="EcsEventLine"/>) to <c>events-YYYYMMDD.jsonl</c> in a folder, a new file each
/// UTC day (the rotation), for tailing and shipping to ELK, and hands each event to its sinks (the
/// message index, which answers timelines and searches; syslog; AMQP). Lines are
/// buffered and flushed every <see cref="FlushInterval"/> (and at dispose), so the accept path pays
/// no syscall per event; a crash can lose at most that much log, never mail (the spool is the record).
/// Retention: at start, at each new day and hourly, day files older than the maximum age are
/// deleted, then the oldest while the folder is over its size (never today's file).
/// </summary>
public sealed class DeliveryEventLog : IDisposable, Core.Intake.IReceptionLog
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);
    private readonly IReadOnlyList<IEventSink> _sinks;
    private readonly TimeSpan _maxAge;
    private readonly long _maxBytes;
    private long _prunedAt;

    private readonly string _folder;
    private readonly Lock _lock = new();
    private readonly ITimer _flush;
    private readonly Func<bool>? _mayWrite;
    private StreamWriter? _writer;
    private long _dropped;
    private string? _day;

    private readonly TimeProvider _time;

    /// <param name="folder">Where the day files go.</param>
    /// <param name="time">The clock for the flush timer.</param>
    /// <param name="mayWrite">
    /// False while the disk is short of space (the spool's answer when they share it): lines are
    /// dropped and counted, so that the log does not take the space the spool keeps for its
    /// acknowledgements.
    /// </param>
    /// <param name="sinks">Also given each event and its line as written (syslog, AMQP, the message index), whatever the disk.</param>
    /// <param name="maxAge">Day files older than this are deleted (default 30 days).</param>
    /// <param name="maxBytes">The folder is kept under this many bytes by deleting the oldest day files (default 1 GiB).</param>
    public DeliveryEventLog(string folder, TimeProvider? time = null, Func<bool>? mayWrite = null, IReadOnlyList<IEventSink>? sinks = null, TimeSpan? maxAge = null, long? maxBytes = null)
    {
        _sinks = sinks ?? [];
        _maxAge = maxAge ?? TimeSpan.FromDays(30);
        _maxBytes = maxBytes ?? 1L << 30;
        _folder = folder;
        _mayWrite = mayWrite;
        _time = time ?? TimeProvider.System;
        Directory.CreateDirectory(folder);
        Prune();
        _flush = _time.CreateTimer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    /// <summary>Lines that could not be written (disk full, I/O error); the log never fails the mail path.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Flush()
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _prunedAt)) >= PruneEvery || Volatile.Read(ref _prunedAt) == 0)
        {
            Prune();
        }

        lock (_lock)
        {
            try
            {
                _writer?.Flush();
            }
            catch (IOException)
            {
                Reset();
            }
        }
    }

    /// <summary>A Reception event for each recipient of a message made durable, with what is known of the message.</summary>
    public void Received(Core.Messages.Envelope envelope, Core.Messages.MessageId id, DateTimeOffset receivedAt, long size, string? subject)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var now = _time.GetUtcNow();
        foreach (var recipient in envelope.Recipients)
        {
            Write(new DeliveryEvent(now, DeliveryEventType.Reception, id.Value, recipient.Address, null, envelope.ClientAddress, 0, null, "received", (now - receivedAt).TotalMilliseconds, Sender: envelope.Sender, Subject: subject, Tags: envelope.Tags, Size: size, Credential: envelope.AuthenticatedUser));
        }
    }

    /// <summary>A Suppression event: the recipient was refused because it is on the suppression list.</summary>
    public void Suppressed(string sender, string recipient, Core.Messages.MessageId? id, string reason)
        => Write(new DeliveryEvent(_time.GetUtcNow(), DeliveryEventType.Suppression, id?.Value ?? "-", recipient, null, null, 0, reason, "suppressed", null, Sender: sender));

    public void Write(DeliveryEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var line = EcsEventLine.Format(entry);
        // A copy elsewhere (syslog, AMQP, the index) is not this folder: it goes even while the spool is short of space.
        for (var i = 0; i < _sinks.Count; i++)
        {
            _sinks[i].Write(entry, line);
        }

        if (_mayWrite is not null && !_mayWrite())
        {
            Interlocked.Increment(ref _dropped);
            return;
        }

        var day = entry.Time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        lock (_lock)
        {
            try
            {
                if (day != _day || _writer is null)
                {
                    if (_day is not null && day != _day)
                    {
                        _prunedAt = 0;
                    }

                    _writer?.Dispose();
                    _writer = new StreamWriter(new FileStream(Path.Combine(_folder, $"events-{day}.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read), bufferSize: 64 * 1024);
                    _day = day;
                }

                _writer.WriteLine(line);
            }
            catch (IOException)
            {
                Reset();
            }
        }
    }

    /// <summary>Deletes day files past the maximum age, then the oldest while the folder is over its size; never today's.</summary>
    public void Prune()
    {
        Volatile.Write(ref _prunedAt, _time.GetTimestamp());
        var today = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var oldest = _time.GetUtcNow().UtcDateTime.Subtract(_maxAge).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        try
        {
            var files = new DirectoryInfo(_folder).GetFiles("events-*.jsonl");
            Array.Sort(files, (a, b) => string.CompareOrdinal(a.Name, b.Name));
            var total = 0L;
            foreach (var file in files)
            {
                total += file.Length;
            }

            foreach (var file in files)
            {
                var day = Path.GetFileNameWithoutExtension(file.Name)["events-".Length..];
                if (string.CompareOrdinal(day, today) >= 0 || (string.CompareOrdinal(day, oldest) >= 0 && total <= _maxBytes))
                {
                    break;
                }

                total -= file.Length;
                file.Delete();
            }
        }
        catch (IOException)
        {
            // A file in use or gone: the next pass tries again.
        }
    }

    /// <summary>After an I/O failure: drop what is buffered (counted) and reopen on the next write.</summary>
    private void Reset()
    {
        Interlocked.Increment(ref _dropped);
        try
        {
            _writer?.Dispose();
        }
        catch (IOException)
        {
            // The buffered lines cannot be written either; they are the ones dropped.
        }

        _writer = null;
        _day = null;
    }

    public void Dispose()
    {
        _flush.Dispose();
        lock (_lock)
        {
            try
            {
                _writer?.Dispose();
            }
            catch (IOException)
            {
                Interlocked.Increment(ref _dropped);
            }

            _writer = null;
        }
    }
}
