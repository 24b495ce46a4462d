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
    /// <summary>Bodies up to this size are copied out of their pooled block.</summary>
    private const int SmallBody = 16 * 1024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _order = new();
    private long _bytes;

    /// <summary>Bodies held now (evicted and removed ones are gone from the age order at once).</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _order.Count;
            }
        }
    }

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

    /// <summary>
    /// Takes the buffer's blocks if the body fits the budget (the buffer is left empty). A small
    /// body is copied into an array of its own size and its 64 KiB block goes back to the pool at
    /// once: the budget counts the memory held, and a 3 KB message must not hold 64 KiB.
    /// </summary>
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

        Entry entry;
        if (length <= SmallBody)
        {
            var exact = GC.AllocateUninitializedArray<byte>((int)length);
            detached.Blocks[0].AsSpan(0, (int)length).CopyTo(exact);
            ArrayPool<byte>.Shared.Return(detached.Blocks[0]);
            entry = new Entry(id.Value, [exact], (int)length, length, pooled: false, retained: length);
        }
        else
        {
            entry = new Entry(id.Value, detached.Blocks, detached.LastBlockUsed, length, pooled: true, retained: (long)detached.Blocks.Count * MessageBuffer.BlockSize);
        }

        lock (_lock)
        {
            while (_bytes + entry.Retained > capacity && _order.First is { } oldest)
            {
                EvictLocked(oldest.Value);
            }

            if (_entries.Remove(entry.Id, out var replaced))
            {
                EvictLocked(replaced);
            }

            _entries[entry.Id] = entry;
            entry.Node = _order.AddLast(entry);
            _bytes += entry.Retained;
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
        _bytes -= entry.Retained;
        if (entry.Node is { } node)
        {
            // Removed from the age order here, not when it reaches the front: delivered messages leave no trace behind.
            _order.Remove(node);
            entry.Node = null;
        }

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
        if (!entry.Pooled)
        {
            entry.Blocks.Clear();
            return;
        }

        foreach (var block in entry.Blocks)
        {
            ArrayPool<byte>.Shared.Return(block);
        }

        entry.Blocks.Clear();
    }

    internal sealed class Entry(string id, List<byte[]> blocks, int lastBlockUsed, long length, bool pooled, long retained)
    {
        /// <summary>False for a small body copied into its own array (nothing to give back to the pool).</summary>
        public bool Pooled { get; } = pooled;

        /// <summary>Memory held for this body, what the budget counts.</summary>
        public long Retained { get; } = retained;

        public string Id { get; } = id;

        public List<byte[]> Blocks { get; } = blocks;

        public int LastBlockUsed { get; } = lastBlockUsed;

        public long Length { get; } = length;

        public int Readers { get; set; }

        public bool Evicted { get; set; }

        /// <summary>Its place in the age order while cached.</summary>
        public LinkedListNode<Entry>? Node { get; set; }
    }
}
