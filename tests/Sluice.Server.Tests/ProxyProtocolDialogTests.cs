using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Core.Proxy;
using Sluice.Testing;

namespace Sluice.Server.Tests;

/// <summary>A listener behind a balancer: PROXY headers from trusted balancers name the client; from anyone else they are just bad commands.</summary>
public sealed partial class ProxyProtocolDialogTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(o =>
    {
        o.Listeners[0].ProxyProtocol = true;
        o.Listeners[0].ProxyTrustedNetworks = ["127.0.0.1/32"];
        o.Listeners[0].TrustedNetworks = ["203.0.113.0/24"];
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Proxy_HeaderFromTrustedBalancer_ClientIsTheProxiedAddress(bool v2)
    {
        var source = IPEndPoint.Parse("203.0.113.7:40001");
        var header = v2 ? ProxyProtocol.WriteV2(source, _node.Endpoint) : ProxyProtocol.WriteV1(source, _node.Endpoint);
        await using var dialog = await SmtpDialog.ConnectAsync(_node.Endpoint, readGreeting: false);

        // The header and the first command in one write: what follows the header must not be lost.
        await dialog.SendAsync([.. header, .. "EHLO client.example\r\n"u8.ToArray()]);
        await dialog.ReadGreetingAsync();
        Assert.StartsWith("250", await dialog.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.StartsWith("250", await dialog.CommandAsync("MAIL FROM:<a@example.com>"), StringComparison.Ordinal);

        // Relaying is decided on the proxied address (203.0.113.0/24 may relay; 127.0.0.1 may not here).
        Assert.StartsWith("250", await dialog.CommandAsync("RCPT TO:<b@example.org>"), StringComparison.Ordinal);
        await dialog.CommandAsync("DATA");
        var reply = await dialog.CommandAsync("Subject: via balancer\r\n\r\nx\r\n.");
        var id = QueuedId().Match(reply).Groups[1].Value;
        var stored = Encoding.UTF8.GetString(await _node.ContentAsync(id));
        Assert.StartsWith("Received: from client.example ([203.0.113.7])", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_LocalHeader_IsTheBalancerItself()
    {
        await using var dialog = await SmtpDialog.ConnectAsync(_node.Endpoint, readGreeting: false);
        await dialog.SendAsync(ProxyProtocol.WriteV2Local());

        await dialog.ReadGreetingAsync();
        await dialog.CommandAsync("EHLO probe.example");
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        Assert.StartsWith("554 5.7.1", await dialog.CommandAsync("RCPT TO:<b@example.org>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Proxy_GarbageFromTrustedBalancer_ClosesWithoutGreeting()
    {
        await using var dialog = await SmtpDialog.ConnectAsync(_node.Endpoint, readGreeting: false);
        await dialog.SendAsync("EHLO not-a-proxy.example\r\n");

        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Proxy_HeaderFromUntrustedPeer_IsNotHonoured()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Listeners[0].ProxyProtocol = true;
            o.Listeners[0].ProxyTrustedNetworks = ["192.0.2.0/24"];
        });
        await using var dialog = await node.ConnectAsync();

        var reply = await dialog.CommandAsync("PROXY TCP4 203.0.113.7 192.0.2.1 40001 25");

        Assert.StartsWith("5", reply, StringComparison.Ordinal);
        Assert.StartsWith("250", await dialog.CommandAsync("EHLO client.example"), StringComparison.Ordinal);
    }

    [GeneratedRegex("queued as ([0-9A-Z]{26})")]
    private static partial Regex QueuedId();
}
