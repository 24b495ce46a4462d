using System.Text;
using FsCheck.Xunit;

namespace Sluice.Smtp.Tests;

public sealed class LineCheckerTests
{
    [Theory]
    [InlineData("ok\r\nfine\r\n", false)]
    [InlineData("bare\nlf\r\n", true)]
    [InlineData("bare\rcr\r\n", true)]
    [InlineData("double\r\r\n", true)]
    [InlineData("trailing cr\r", true)]
    public void Observe_LineEndings_ReportsBareOnesOnly(string content, bool bare)
    {
        var checker = new LineChecker(1000);
        checker.Observe(Encoding.ASCII.GetBytes(content));
        checker.Complete();

        Assert.Equal(bare, checker.SawBareLineEnding);
    }

    [Fact]
    public void Observe_LineOf999Octets_IsTooLongButNot998()
    {
        var ok = new LineChecker(1000);
        ok.Observe(Encoding.ASCII.GetBytes(new string('a', 998) + "\r\n"));
        var longLine = new LineChecker(1000);
        longLine.Observe(Encoding.ASCII.GetBytes(new string('a', 999) + "\r\n"));

        Assert.False(ok.SawLongLine);
        Assert.True(longLine.SawLongLine);
    }

    [Property(MaxTest = 300)]
    public bool Observe_AnySplit_GivesSameVerdict(string content, int[] splits)
    {
        var bytes = Encoding.Latin1.GetBytes(content ?? string.Empty);
        var whole = new LineChecker(20);
        whole.Observe(bytes);
        whole.Complete();

        var split = new LineChecker(20);
        var offset = 0;
        var s = 0;
        while (offset < bytes.Length)
        {
            var size = splits is { Length: > 0 } ? Math.Abs(splits[s++ % splits.Length] % 7) + 1 : bytes.Length;
            var n = Math.Min(size, bytes.Length - offset);
            split.Observe(bytes.AsSpan(offset, n));
            offset += n;
        }

        split.Complete();
        return whole.SawBareLineEnding == split.SawBareLineEnding && whole.SawLongLine == split.SawLongLine;
    }
}
