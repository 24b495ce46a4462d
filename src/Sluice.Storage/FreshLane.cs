using System.Collections.Concurrent;
using Sluice.Core.Queue;
using Sluice.Core.Threading;

namespace Sluice.Storage;

/// <summary>
/// New messages that go to the engine without a lease statement. While the engine has room that
/// the last lease left unfilled (nothing else was due), the writer stores a new message already
/// leased and hands its entry over here after the commit; the next lease takes it from memory.
/// Beside it, the lease knows when the next stored message falls due (the lowest next attempt of
/// any message waiting), so that a lease before then asks the database nothing. A message handed
/// over here is leased in the database like any other: if the process dies, the next open releases
/// it (ADR 0014), so durability is that of a lease.
/// </summary>
internal sealed class FreshLane
{
    /// <summary>Nothing is known about what is due: the next lease asks the database.</summary>
    private const long Unknown = long.MinValue;

    private readonly ConcurrentQueue<QueueEntry> _entries = new();
    private int _room;
    private long _nothingDueBefore = Unknown;

    /// <summary>
    /// Whether no waiting message in the database is due before <paramref name="nowMs"/>: a lease
    /// at that time needs no statement. (Messages already in flight or held are not waiting.)
    /// </summary>
    public bool NothingDueAt(long nowMs) => nowMs < Volatile.Read(ref _nothingDueBefore);

    /// <summary>Writer thread: whether a new message may be stored already leased (takes one unit of room).</summary>
    public bool TryTakeRoom()
    {
        while (true)
        {
            var room = Volatile.Read(ref _room);
            if (room <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _room, room - 1, room) == room)
            {
                return true;
            }
        }
    }

    /// <summary>A message stored as leased was not committed after all: its room is free again.</summary>
    public void ReturnRoom() => Interlocked.Increment(ref _room);

    /// <summary>How many messages the engine can take beyond what it just leased (what its last lease left unfilled).</summary>
    public void SetRoom(int room) => Volatile.Write(ref _room, Math.Max(0, room));

    /// <summary>After the commit that stored it leased: the entry waits here for the next lease.</summary>
    public void Add(QueueEntry entry) => _entries.Enqueue(entry);

    /// <summary>Moves up to <paramref name="max"/> entries handed over into <paramref name="into"/>.</summary>
    public void Take(int max, List<QueueEntry> into)
    {
        while (into.Count < max && _entries.TryDequeue(out var entry))
        {
            into.Add(entry);
        }
    }

    /// <summary>A lease found fewer than it asked for: the next waiting message is due at <paramref name="nextDueMs"/> (none: <see cref="long.MaxValue"/>).</summary>
    public void NothingDueBefore(long nextDueMs) => Volatile.Write(ref _nothingDueBefore, nextDueMs);

    /// <summary>A waiting message is due at <paramref name="dueMs"/> (stored, deferred): what is known moves earlier if it must.</summary>
    public void DueAt(long dueMs) => AtomicBound.LowerTo(ref _nothingDueBefore, dueMs);

    /// <summary>Messages became waiting in ways not tracked one by one (released, flushed, a rolled-back lease): ask the database next time.</summary>
    public void Forget()
    {
        Volatile.Write(ref _nothingDueBefore, Unknown);
        Volatile.Write(ref _room, 0);
    }
}
