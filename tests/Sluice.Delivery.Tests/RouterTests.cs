using Sluice.Delivery.Routing;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Tests;

public sealed class RouterTests
{
    [Theory]
    [InlineData("smtp.relay.example:587", "smtp.relay.example", 587)]
    [InlineData("smtp.relay.example", "smtp.relay.example", 25)]
    [InlineData("192.0.2.7:2525", "192.0.2.7", 2525)]
    [InlineData("[2001:db8::1]:26", "2001:db8::1", 26)]
    public void Parse_HostAndPort_IsSplit(string text, string host, int port)
    {
        var route = Router.Parse(text, null);

        Assert.Equal(host, route.RelayHost);
        Assert.Equal(port, route.RelayPort);
    }

    [Fact]
    public void Parse_BadPort_Throws()
    {
        Assert.Throws<FormatException>(() => Router.Parse("host:notaport", null));
    }

    [Fact]
    public void For_ExactDomainBeatsWildcardAndRelayHostFlag()
    {
        var router = new Router(
            [new RouteOptions { Domain = "partner.example", Relay = "gw.partner.example:2525", Tls = TlsPolicy.Required }, new RouteOptions { Domain = "direct.example" }],
            relayHost: "smarthost.example:587");

        Assert.Equal(("gw.partner.example", 2525, TlsPolicy.Required), (router.For("PARTNER.example").RelayHost, router.For("partner.example").RelayPort, router.For("partner.example").Tls));
        Assert.False(router.For("direct.example").IsRelay);
        Assert.Equal("smarthost.example", router.For("anything.example").RelayHost);
    }

    [Fact]
    public void For_NoRules_IsMx()
    {
        Assert.False(new Router([], null).For("example.com").IsRelay);
    }
}
