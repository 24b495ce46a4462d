using Sluice.Core.Messages;
using Sluice.Testing;

namespace Sluice.Storage.Tests;

public sealed class HotBodyCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Adopt_TakesTheBlocksAndKeepsTheLengthForTheCaller()
    {
        var cache = new HotBodyCache(1_000_000);
        using var buffer = Buffer(100_000, 1);

        cache.Adopt(new MessageId("m1"), buffer);

        Assert.Equal(100_000, buffer.Length);
        Assert.Throws<InvalidOperationException>(() => buffer.CopyTo(Stream.Null));
        Assert.Equal(2 * MessageBuffer.BlockSize, cache.Bytes); // the budget counts the blocks held
    }

    [Fact]
    public void Adopt_SmallBody_HoldsOnlyItsOwnSize()
    {
        var cache = new HotBodyCache(1_000_000);
        var expected = Bytes(3_000, 7);
        using var buffer = Buffer(expected);

        cache.Adopt(new MessageId("small"), buffer);

        Assert.Equal(3_000, cache.Bytes);
        using var stream = cache.TryOpen(new MessageId("small"))!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal(expected, copy.ToArray());
    }

    [Fact]
    public void TryOpen_EvictedWhileBeingRead_StillReadsEveryByte()
    {
        var cache = new HotBodyCache(1_000_000);
        var expected = Bytes(200_000, 2);
        using (var buffer = Buffer(expected))
        {
            cache.Adopt(new MessageId("m1"), buffer);
        }

        using var stream = cache.TryOpen(new MessageId("m1"))!;
        var head = new byte[1000];
        stream.ReadExactly(head);
        cache.Remove(new MessageId("m1"));
        using var rest = new MemoryStream();
        stream.CopyTo(rest);

        Assert.Equal(expected, head.Concat(rest.ToArray()).ToArray());
        Assert.Null(cache.TryOpen(new MessageId("m1")));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void Adopt_OverBudget_EvictsOldestFirstAndSkipsHugeBodies()
    {
        // 90,000 bytes hold two 64 KiB blocks: the budget fits three such bodies.
        var cache = new HotBodyCache(400_000);
        foreach (var (id, seed) in new[] { ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5) })
        {
            using var buffer = Buffer(90_000, seed);
            cache.Adopt(new MessageId(id), buffer);
        }

        using var huge = Buffer(150_000, 6);
        cache.Adopt(new MessageId("huge"), huge);

        Assert.Null(cache.TryOpen(new MessageId("a")));
        Assert.Null(cache.TryOpen(new MessageId("b")));
        using var e = cache.TryOpen(new MessageId("e"));
        Assert.NotNull(e);
        Assert.Null(cache.TryOpen(new MessageId("huge"))); // over a quarter of the budget
        Assert.Equal(3 * 2 * MessageBuffer.BlockSize, cache.Bytes);
    }

    private MessageBuffer Buffer(int length, int seed) => Buffer(Bytes(length, seed));

    private MessageBuffer Buffer(byte[] bytes)
    {
        var buffer = new MessageBuffer(_dir.Path);
        buffer.Write(bytes);
        return buffer;
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Remove_ManyDelivered_LeavesNothingTracked()
    {
        var cache = new HotBodyCache(1_000_000_000);
        for (var i = 0; i < 10_000; i++)
        {
            using var buffer = Buffer(500, i);
            var id = new MessageId("m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            cache.Adopt(id, buffer);
            cache.Remove(id);
        }

        Assert.Equal(0, cache.Count);
        Assert.Equal(0, cache.Bytes);
    }
}
