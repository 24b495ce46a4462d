using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Messages;

namespace Sluice.Core.Tests;

public sealed class MessageIdGeneratorTests
{
    [Fact]
    public void Next_SameMillisecond_IsStrictlyIncreasingAndUnique()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var ids = new MessageIdGenerator(time);

        var all = Enumerable.Range(0, 10_000).Select(_ => ids.Next().Value).ToList();

        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        Assert.All(all, id => Assert.Equal(26, id.Length));
    }

    [Fact]
    public void Next_LaterTime_SortsAfterEarlierIds()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var ids = new MessageIdGenerator(time, span => span.Fill(0xFF));
        var first = ids.Next();
        time.Advance(TimeSpan.FromMilliseconds(1));

        var second = new MessageIdGenerator(time, span => span.Clear()).Next();

        Assert.True(string.CompareOrdinal(first.Value, second.Value) < 0);
    }

    [Fact]
    public void Next_EachInANewMillisecond_DrawsRandomBytesOnceFor32Ids()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var draws = 0;
        var ids = new MessageIdGenerator(time, span =>
        {
            draws++;
            System.Security.Cryptography.RandomNumberGenerator.Fill(span);
        });

        var randomParts = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 64; i++)
        {
            randomParts.Add(ids.Next().Value[10..]);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(2, draws);
        Assert.Equal(64, randomParts.Count); // every id its own 80 random bits, none reused
    }

    [Fact]
    public void TimestampOf_Id_GivesCreationMillisecond()
    {
        var now = new DateTimeOffset(2026, 11, 24, 9, 30, 15, 123, TimeSpan.Zero);
        var id = new MessageIdGenerator(new FakeTimeProvider(now)).Next();

        Assert.Equal(now, MessageIdGenerator.TimestampOf(id));
    }

    [Fact]
    public void Next_UsesOnlyCrockfordAlphabet()
    {
        var id = new MessageIdGenerator(TimeProvider.System).Next().Value;

        Assert.DoesNotContain(id, c => "ILOU".Contains(c, StringComparison.Ordinal) || !char.IsAsciiLetterOrDigit(c));
    }
}
