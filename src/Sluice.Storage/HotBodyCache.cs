using System.Buffers;
using Sluice.Core.Messages;

namespace Sluice.Storage;

/// <summary>
/// Bodies of messages just made durable, in the pooled blocks they were received into (no copy).
/// The spool file stays the truth: this only spares delivery the read back through SQLite, which
/// for large messages is a kernel copy and a page-cache walk per message. Bounded by bytes; oldest
/// out first. A body being read when it is evicted goes back to the pool when its reader is done.
/// </summary>
internal sealed class HotBodyCache(long capacity)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<Entry> _order = new();
    private long _bytes;

    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Takes the buffer's blocks if the body fits the budget (the buffer is left empty).</summary>
    public void Adopt(MessageId id, MessageBuffer content)
    {
        var length = content.Length;
        if (capacity <= 0 || length == 0 || length > capacity / 4 || content.SpilledToDisk)
        {
            return;
        }

        if (content.DetachBlocks() is not { } detached)
        {
            return;
        }

        var entry = new Entry(id.Value, detached.Blocks, detached.LastBlockUsed, length);
        lock (_lock)
        {
            while (_bytes + length > capacity && _order.TryDequeue(out var oldest))
            {
                EvictLocked(oldest);
            }

            if (_entries.Remove(entry.Id, out var replaced))
            {
                EvictLocked(replaced);
            }

            _entries[entry.Id] = entry;
            _order.Enqueue(entry);
            _bytes += length;
        }
    }

    /// <summary>A stream over the cached body, or null when it is not cached.</summary>
    public Stream? TryOpen(MessageId id)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(id.Value, out var entry))
            {
                return null;
            }

            entry.Readers++;
            return new HotBodyStream(entry, this);
        }
    }

    /// <summary>The message left the ready path (delivered, deferred, dead-lettered): its body is not needed soon.</summary>
    public void Remove(MessageId id)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(id.Value, out var entry))
            {
                EvictLocked(entry);
            }
        }
    }

    internal void Release(Entry entry)
    {
        lock (_lock)
        {
            if (--entry.Readers == 0 && entry.Evicted)
            {
                ReturnBlocks(entry);
            }
        }
    }

    private void EvictLocked(Entry entry)
    {
        if (entry.Evicted)
        {
            return;
        }

        entry.Evicted = true;
        _bytes -= entry.Length;
        if (_entries.TryGetValue(entry.Id, out var current) && ReferenceEquals(current, entry))
        {
            _entries.Remove(entry.Id);
        }

        if (entry.Readers == 0)
        {
            ReturnBlocks(entry);
        }
    }

    private static void ReturnBlocks(Entry entry)
    {
        foreach (var block in entry.Blocks)
        {
            ArrayPool<byte>.Shared.Return(block);
        }

        entry.Blocks.Clear();
    }

    internal sealed class Entry(string id, List<byte[]> blocks, int lastBlockUsed, long length)
    {
        public string Id { get; } = id;

        public List<byte[]> Blocks { get; } = blocks;

        public int LastBlockUsed { get; } = lastBlockUsed;

        public long Length { get; } = length;

        public int Readers { get; set; }

        public bool Evicted { get; set; }
    }
}
