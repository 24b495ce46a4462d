using System.Globalization;
using Sluice.Core.Messages;

namespace Sluice.Storage;

/// <summary>
/// Large bodies in append-only segment files beside the database (ADR 0013). Only the spool's
/// writer thread writes: it appends a batch's bodies, syncs them before the SQLite commit that
/// references them, and deletes a sealed segment once no committed row points into it. Reference
/// counts are the database's (counted at open), changed only when a batch commits.
/// </summary>
internal sealed class BodySegments : IDisposable
{
    private const string Extension = ".seg";
    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly long _largeBodyBytes;
    private readonly Dictionary<long, long> _references;
    private readonly Dictionary<long, long> _batchDeltas = [];
    private readonly HashSet<long> _candidates = [];
    private readonly List<FileStream> _unsynced = [];
    private FileStream? _current;
    private long _currentNumber;
    private long _offset;
    private long _batchStartNumber;
    private long _batchStartOffset;
    private bool _directoryDirty;

    private BodySegments(string directory, long segmentBytes, long largeBodyBytes, Dictionary<long, long> references, long lastNumber)
    {
        _directory = directory;
        _segmentBytes = segmentBytes;
        _largeBodyBytes = largeBodyBytes;
        _references = references;
        _currentNumber = lastNumber;
        _batchStartNumber = lastNumber;
    }

    /// <summary>
    /// Opens the folder with the database's reference counts. Segments no row points into are left
    /// over from a crash (written, never committed) or from a delete the crash interrupted: removed.
    /// Appends go to a new segment: a crashed process may have left a torn tail in the last one.
    /// </summary>
    public static BodySegments Open(string directory, long segmentBytes, long largeBodyBytes, Dictionary<long, long> references)
    {
        Directory.CreateDirectory(directory);
        long last = 0;
        foreach (var path in Directory.EnumerateFiles(directory, "*" + Extension))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                continue;
            }

            last = Math.Max(last, number);
            if (!references.ContainsKey(number))
            {
                File.Delete(path);
            }
        }

        foreach (var number in references.Keys)
        {
            last = Math.Max(last, number);
        }

        return new BodySegments(directory, segmentBytes, largeBodyBytes, references, last);
    }

    /// <summary>
    /// Bytes of bodies that stay queued (deferred, held, dead-lettered) this batch may move into the
    /// database, so that they do not pin their segments; set per batch from the free space, so that
    /// the copies never take the space the spool's margin keeps.
    /// </summary>
    public long MoveBudget { get; set; } = long.MaxValue;

    /// <summary>Takes <paramref name="bytes"/> from <see cref="MoveBudget"/> if it is there.</summary>
    public bool TakeMoveBudget(long bytes)
    {
        if (bytes > MoveBudget)
        {
            return false;
        }

        MoveBudget -= bytes;
        return true;
    }

    /// <summary>Whether a body of this length belongs in a segment (otherwise in the database).</summary>
    public bool Holds(long length) => _largeBodyBytes > 0 && length >= _largeBodyBytes;

    public static string PathOf(string directory, long number)
        => Path.Combine(directory, number.ToString("D12", CultureInfo.InvariantCulture) + Extension);

    /// <summary>Writes a body at the end of the current segment (a new one when it would not fit).</summary>
    public BodyLocation Append(MessageBuffer content)
    {
        if (_current is null || (_offset > 0 && _offset + content.Length > _segmentBytes))
        {
            Rotate();
        }

        var location = new BodyLocation(_currentNumber, _offset);
        content.WriteTo(_current!.SafeFileHandle, _offset);
        _offset += content.Length;
        if (!_unsynced.Contains(_current))
        {
            _unsynced.Add(_current);
        }

        Count(_currentNumber, 1);
        return location;
    }

    /// <summary>A row that pointed into <paramref name="segment"/> is gone (or moved into the database) in this batch.</summary>
    public void Release(long segment)
    {
        Count(segment, -1);
        _candidates.Add(segment);
    }

    /// <summary>
    /// A read-only stream over one stored body; null when its segment is gone (the message was
    /// removed or its body moved meanwhile). Safe from any thread: it touches no writer state.
    /// </summary>
    public Stream? OpenRead(BodyLocation location, long length)
    {
        try
        {
            var file = File.OpenHandle(PathOf(_directory, location.Segment), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new SegmentBodyStream(file, location.Offset, length);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Makes this batch's appends durable; called before the database commit that refers to them.</summary>
    public void Sync()
    {
        foreach (var file in _unsynced)
        {
            FileSync.FlushData(file.SafeFileHandle);
            if (file != _current)
            {
                file.Dispose();
            }
        }

        _unsynced.Clear();
        if (_directoryDirty)
        {
            FileSync.FlushDirectory(_directory);
            _directoryDirty = false;
        }
    }

    /// <summary>The batch is durable: its counts become the truth, and emptied sealed segments are deleted.</summary>
    public void Commit()
    {
        foreach (var (segment, delta) in _batchDeltas)
        {
            _references[segment] = _references.GetValueOrDefault(segment) + delta;
        }

        _batchDeltas.Clear();
        foreach (var segment in _candidates)
        {
            // After a restart no segment is current until the first append (then a new one is).
            var current = _current is not null && segment == _currentNumber;
            if (!current && _references.GetValueOrDefault(segment) <= 0)
            {
                _references.Remove(segment);
                File.Delete(PathOf(_directory, segment));
            }
        }

        _candidates.Clear();

        // The current segment pins no space once every body in it is gone: with a sixteenth of a
        // segment written it is deleted at once, and the next body begins a new one (otherwise a
        // 64 MiB segment would hold tens of MiB of delivered mail until it was sealed).
        if (_current is not null && _offset >= _segmentBytes / 16 && _references.GetValueOrDefault(_currentNumber) <= 0 && !_unsynced.Contains(_current))
        {
            _current.Dispose();
            _current = null;
            _references.Remove(_currentNumber);
            File.Delete(PathOf(_directory, _currentNumber));
        }

        MarkBatchStart();
    }

    /// <summary>
    /// The batch failed and nothing of it is visible: its counts are dropped, and the next append
    /// overwrites what it wrote when the segment did not change (otherwise the bytes stay unreferenced).
    /// </summary>
    public void Abort()
    {
        _batchDeltas.Clear();
        foreach (var file in _unsynced)
        {
            if (file != _current)
            {
                file.Dispose();
            }
        }

        _unsynced.Clear();
        if (_currentNumber == _batchStartNumber)
        {
            _offset = _batchStartOffset;
        }

        MarkBatchStart();
    }

    public void Dispose()
    {
        foreach (var file in _unsynced)
        {
            file.Dispose();
        }

        _current?.Dispose();
    }

    private void Rotate()
    {
        if (_current is not null)
        {
            // Sealed: no more appends; deleted once its last row is gone (maybe already).
            _candidates.Add(_currentNumber);
            if (!_unsynced.Contains(_current))
            {
                _current.Dispose();
            }
        }

        _currentNumber++;
        _offset = 0;
        _current = new FileStream(PathOf(_directory, _currentNumber), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read | FileShare.Delete,
            BufferSize = 0,
        });
        _directoryDirty = true;
    }

    private void Count(long segment, long delta) => _batchDeltas[segment] = _batchDeltas.GetValueOrDefault(segment) + delta;

    private void MarkBatchStart()
    {
        _batchStartNumber = _currentNumber;
        _batchStartOffset = _offset;
    }
}
