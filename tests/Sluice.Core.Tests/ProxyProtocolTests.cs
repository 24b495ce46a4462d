using System.Net;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using FsCheck.Fluent;
using Sluice.Core.Proxy;

namespace Sluice.Core.Tests;

public sealed class ProxyProtocolTests
{
    [Fact]
    public void TryParse_V1Tcp4_ReadsBothEndpointsAndStopsAtCrlf()
    {
        var bytes = Encoding.ASCII.GetBytes("PROXY TCP4 203.0.113.7 192.0.2.1 56324 25\r\nEHLO x\r\n");

        var status = ProxyProtocol.TryParse(bytes, out var header, out var consumed);

        Assert.Equal(ProxyParseStatus.Done, status);
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:56324"), header!.Source);
        Assert.Equal(IPEndPoint.Parse("192.0.2.1:25"), header.Destination);
        Assert.Equal("PROXY TCP4 203.0.113.7 192.0.2.1 56324 25\r\n".Length, consumed);
    }

    [Fact]
    public void TryParse_V2Tcp6_ReadsBothEndpoints()
    {
        var written = ProxyProtocol.WriteV2(IPEndPoint.Parse("[2001:db8::7]:40000"), IPEndPoint.Parse("[2001:db8::1]:25"));

        Assert.Equal(ProxyParseStatus.Done, ProxyProtocol.TryParse(written, out var header, out var consumed));
        Assert.Equal(IPEndPoint.Parse("[2001:db8::7]:40000"), header!.Source);
        Assert.Equal(16 + 36, consumed);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void TryParse_V1Unknown_IsLocal(string line)
    {
        Assert.Equal(ProxyParseStatus.Done, ProxyProtocol.TryParse(Encoding.ASCII.GetBytes(line), out var header, out _));
        Assert.True(header!.IsLocal);
    }

    [Fact]
    public void TryParse_V2Local_IsLocal()
    {
        Assert.Equal(ProxyParseStatus.Done, ProxyProtocol.TryParse(ProxyProtocol.WriteV2Local(), out var header, out var consumed));
        Assert.True(header!.IsLocal);
        Assert.Equal(16, consumed);
    }

    [Theory]
    [InlineData("EHLO client.example\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 56324\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 99999 25\r\n")]
    [InlineData("PROXY TCP5 203.0.113.7 192.0.2.1 1 25\r\n")]
    public void TryParse_NotAValidHeader_IsInvalid(string text)
    {
        Assert.Equal(ProxyParseStatus.Invalid, ProxyProtocol.TryParse(Encoding.ASCII.GetBytes(text), out _, out _));
    }

    [Fact]
    public void TryParse_V1WithoutCrlfPastTheLimit_IsInvalid()
    {
        Assert.Equal(ProxyParseStatus.Invalid, ProxyProtocol.TryParse(Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 120)), out _, out _));
    }

    [Fact]
    public void TryParse_V2WrongVersion_IsInvalid()
    {
        var bytes = ProxyProtocol.WriteV2(IPEndPoint.Parse("203.0.113.7:1"), IPEndPoint.Parse("192.0.2.1:25"));
        bytes[12] = 0x11;

        Assert.Equal(ProxyParseStatus.Invalid, ProxyProtocol.TryParse(bytes, out _, out _));
    }

    [Property(MaxTest = 300)]
    public Property TryParse_AnyPrefixOfAHeader_NeedsMoreThenReadsItWhole(byte a, byte b, byte c, byte d, ushort sport, ushort dport, bool v1)
    {
        var source = new IPEndPoint(new IPAddress([a, b, c, d]), sport);
        var destination = new IPEndPoint(IPAddress.Parse("192.0.2.1"), dport);
        var bytes = v1 ? ProxyProtocol.WriteV1(source, destination) : ProxyProtocol.WriteV2(source, destination);
        var prefixesNeedMore = Enumerable.Range(0, bytes.Length).All(n => ProxyProtocol.TryParse(bytes.AsSpan(0, n), out _, out _) == ProxyParseStatus.NeedMore);
        var whole = ProxyProtocol.TryParse([.. bytes, .. "EHLO x\r\n"u8.ToArray()], out var header, out var consumed);

        return (prefixesNeedMore && whole == ProxyParseStatus.Done && consumed == bytes.Length
            && header!.Source!.Equals(source) && header.Destination!.Equals(destination)).ToProperty();
    }
}
