using Sluice.Core.Messages;
using Sluice.Testing;

namespace Sluice.Core.Tests;

public sealed class MessageBufferTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(65536)]
    [InlineData(200_000)]
    [InlineData(3_000_000)]
    public void CopyTo_AnySize_ReturnsExactlyWhatWasWritten(int size)
    {
        using var dir = new TempDirectory();
        using var buffer = new MessageBuffer(dir.Path, memoryThreshold: 1024 * 1024);
        var data = new byte[size];
        new Random(size).NextBytes(data);
        for (var offset = 0; offset < size; offset += 7001)
        {
            buffer.Write(data.AsSpan(offset, Math.Min(7001, size - offset)));
        }

        Assert.Equal(size, buffer.Length);
        Assert.Equal(size > 1024 * 1024, buffer.SpilledToDisk);
        Assert.Equal(data, buffer.ToArray());
    }

    [Fact]
    public void Reset_AfterSpill_RemovesTempFileAndStartsEmpty()
    {
        using var dir = new TempDirectory();
        using var buffer = new MessageBuffer(dir.Path, memoryThreshold: 1000);
        buffer.Write(new byte[5000]);
        Assert.Single(Directory.GetFiles(dir.Path));

        buffer.Reset();
        buffer.Write("abc"u8);

        Assert.Empty(Directory.GetFiles(dir.Path));
        Assert.Equal("abc"u8.ToArray(), buffer.ToArray());
    }

    [Theory]
    [InlineData(700, 700)]
    [InlineData(700, 5_000)]
    [InlineData(3_000, 200_000)]
    public void Write_WithSizeHint_KeepsEveryByteEvenWhenTheHintIsShort(int hint, int length)
    {
        using var dir = new Sluice.Testing.TempDirectory();
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        using var buffer = new Sluice.Core.Messages.MessageBuffer(dir.Path, hint);

        foreach (var chunk in bytes.Chunk(997))
        {
            buffer.Write(chunk);
        }

        Assert.Equal(bytes, buffer.ToArray());
        var detached = buffer.DetachBlocks()!.Value;
        Assert.True(detached.Blocks.Take(detached.Blocks.Count - 1).All(b => b.Length == Sluice.Core.Messages.MessageBuffer.BlockSize), "every block but the last is full-size");
        if (length <= hint)
        {
            Assert.True(detached.Blocks[0].Length < Sluice.Core.Messages.MessageBuffer.BlockSize, "a small message does not hold 64 KiB");
        }
    }
}
