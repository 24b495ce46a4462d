using Sluice.Server.Configuration;

namespace Sluice.Server.Tests;

public sealed class RelayPolicyDialogTests
{
    [Fact]
    public async Task Relay_UntrustedUnauthenticatedToRemoteDomain_Is554()
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].TrustedNetworks = ["10.0.0.0/8"]);
        await using var dialog = await node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.Equal("554 5.7.1 Relay access denied", await dialog.CommandAsync("RCPT TO:<b@remote.example>"));
        Assert.Equal("250 2.1.5 Recipient OK", await dialog.CommandAsync("RCPT TO:<b@LOCAL.example>"));
        Assert.Equal("250 2.1.5 Recipient OK", await dialog.CommandAsync("RCPT TO:<postmaster>"));
    }

    [Theory]
    [InlineData("RCPT TO:<user%other.example@local.example>")]
    [InlineData("RCPT TO:<other.example!user@local.example>")]
    [InlineData("RCPT TO:<\"user@other.example\"@local.example>")]
    [InlineData("RCPT TO:<@hop.example:user@local.example>")]
    public async Task Relay_UntrustedRoutingThroughALocalDomain_Is554(string rcpt)
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].TrustedNetworks = ["10.0.0.0/8"]);
        await using var dialog = await node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.Equal("554 5.7.1 Relay access denied", await dialog.CommandAsync(rcpt));
        Assert.Equal("250 2.1.5 Recipient OK", await dialog.CommandAsync("RCPT TO:<plain.user+tag@local.example>"));
    }

    [Fact]
    public async Task Relay_TrustedClientRoutingThroughALocalDomain_IsItsOwnBusiness()
    {
        await using var node = await TestNode.StartAsync();
        await using var dialog = await node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.Equal("250 2.1.5 Recipient OK", await dialog.CommandAsync("RCPT TO:<user%other.example@local.example>"));
    }

    [Fact]
    public async Task Relay_TrustedNetwork_MayRelay()
    {
        await using var node = await TestNode.StartAsync();
        await using var dialog = await node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.Equal("250 2.1.5 Recipient OK", await dialog.CommandAsync("RCPT TO:<b@remote.example>"));
    }

    [Fact]
    public async Task Inbound_RemoteDomain_Is554EvenFromLoopback()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Listeners[0].Role = ListenerRole.Inbound;
            o.Listeners[0].TrustedNetworks = [];
        });
        await using var dialog = await node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.Equal("554 5.7.1 Relay access denied", await dialog.CommandAsync("RCPT TO:<b@remote.example>"));
        Assert.Equal("250 2.1.5 Recipient OK", await dialog.CommandAsync("RCPT TO:<b@local.example>"));
    }

    [Fact]
    public async Task Inbound_DoesNotOfferAuth()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Listeners[0].Role = ListenerRole.Inbound;
            o.Listeners[0].TrustedNetworks = [];
            o.Listeners[0].AllowPlaintextAuth = true;
        });
        await using var dialog = await node.ConnectAsync();

        Assert.DoesNotContain("AUTH", await dialog.CommandAsync("EHLO client.example"), StringComparison.Ordinal);
        Assert.Equal("503 5.5.1 AUTH not available on this listener", await dialog.CommandAsync("AUTH PLAIN " + TlsAuthDialogTests.Plain(TestNode.User, TestNode.Password)));
    }

    [Fact]
    public async Task Submission_MailWithoutAuth_Is530()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Listeners[0].Role = ListenerRole.Submission;
            o.Listeners[0].TrustedNetworks = [];
        });
        await using var dialog = await node.HelloAsync();

        Assert.Equal("530 5.7.0 Authentication required", await dialog.CommandAsync("MAIL FROM:<a@example.com>"));
    }

    [Fact]
    public async Task Submission_PlaintextAuthAllowed_AuthenticatesWithoutTlsAndRelays()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Listeners[0].Role = ListenerRole.Submission;
            o.Listeners[0].TrustedNetworks = [];
            o.Listeners[0].AllowPlaintextAuth = true;
        });
        await using var dialog = await node.ConnectAsync();

        Assert.Contains("250-AUTH PLAIN LOGIN", await dialog.CommandAsync("EHLO client.example"), StringComparison.Ordinal);
        Assert.StartsWith("235 ", await dialog.CommandAsync("AUTH PLAIN " + TlsAuthDialogTests.Plain(TestNode.User, TestNode.Password)), StringComparison.Ordinal);
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        Assert.Equal("250 2.1.5 Recipient OK", await dialog.CommandAsync("RCPT TO:<b@remote.example>"));
    }
}
