using System.Net;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sluice.Core.Net;

namespace Sluice.Core.Tests;

public sealed class HostPortTests
{
    [Theory]
    [InlineData("smtp.example.com:587", null, "smtp.example.com", 587)]
    [InlineData("10.0.0.5:25", null, "10.0.0.5", 25)]
    [InlineData("[2001:db8::1]:2525", null, "2001:db8::1", 2525)]
    [InlineData("relay.example", 25, "relay.example", 25)]
    [InlineData("2001:db8::1", 25, "2001:db8::1", 25)]
    [InlineData("[2001:db8::1]", 25, "2001:db8::1", 25)]
    public void TryParse_WhatOperatorsWrite_IsHostAndPort(string text, int? defaultPort, string host, int port)
    {
        Assert.True(HostPort.TryParse(text, defaultPort, out var parsed));

        Assert.Equal(new HostPort(host, port), parsed);
    }

    [Theory]
    [InlineData("relay.example", null)]
    [InlineData("relay.example:0", 25)]
    [InlineData("relay.example:65536", 25)]
    [InlineData("relay.example:smtp", 25)]
    [InlineData("2001:db8::1:25", null)]
    [InlineData("[2001:db8::1]25", null)]
    [InlineData("bad host:25", null)]
    [InlineData(":25", null)]
    [InlineData("", 25)]
    public void TryParse_NotHostAndPort_IsRefused(string text, int? defaultPort)
        => Assert.False(HostPort.TryParse(text, defaultPort, out _));

    /// <summary>Whatever it prints, it reads back: IPv4, IPv6 (bracketed) and names, every port.</summary>
    [Property(MaxTest = 500)]
    public Property ToString_ThenTryParse_RoundTrips()
    {
        var v4 = Gen.ArrayOf(Gen.Choose(0, 255), 4).Select(b => new IPAddress(b.Select(x => (byte)x).ToArray()).ToString());
        var v6 = Gen.ArrayOf(Gen.Choose(0, 255), 16).Select(b => new IPAddress(b.Select(x => (byte)x).ToArray()).ToString());
        var name = Gen.Elements("a", "mx1", "relay-2", "smtp.example.com", "x.y.z.example");
        var hostPort = Gen.OneOf(v4, v6, name).SelectMany(host => Gen.Choose(1, 65535).Select(port => new HostPort(host, port)));
        return Prop.ForAll(hostPort.ToArbitrary(), value => HostPort.TryParse(value.ToString(), null, out var back) && back == value);
    }
}
