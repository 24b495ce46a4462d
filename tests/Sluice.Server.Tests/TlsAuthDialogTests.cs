using System.Text;

namespace Sluice.Server.Tests;

public sealed class TlsAuthDialogTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(o =>
    {
        o.Listeners[0].TrustedNetworks = [];
        o.Auth.MaxFailures = 100;
    });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task StartTls_ThenEhlo_OffersAuthAndNoStartTls()
    {
        await using var dialog = await StartTlsAsync();

        var ehlo = await dialog.CommandAsync("EHLO client.example");

        Assert.Contains("250-AUTH PLAIN LOGIN", ehlo, StringComparison.Ordinal);
        Assert.DoesNotContain("STARTTLS", ehlo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartTls_ResetsSession_SoMailNeedsEhloAgain()
    {
        await using var dialog = await StartTlsAsync();

        Assert.Equal("503 5.5.1 Send EHLO or HELO first", await dialog.CommandAsync("MAIL FROM:<a@example.com>"));
    }

    [Fact]
    public async Task StartTls_PipelinedPlaintextAfterIt_IsDiscarded()
    {
        await using var dialog = await _node.HelloAsync();

        // CVE-2011-0411: the MAIL arrives in plaintext in the same packet as STARTTLS.
        await dialog.SendAsync("STARTTLS\r\nMAIL FROM:<injected@example.com>\r\n");
        Assert.Equal("220 2.0.0 Ready to start TLS", await dialog.ReadReplyAsync());
        await dialog.StartTlsAsync();
        await dialog.CommandAsync("EHLO client.example");

        Assert.Equal("503 5.5.1 Need MAIL command first", await dialog.CommandAsync("RCPT TO:<b@local.example>"));
    }

    [Fact]
    public async Task StartTls_Twice_Is503()
    {
        await using var dialog = await StartTlsAsync();
        await dialog.CommandAsync("EHLO client.example");

        Assert.Equal("503 5.5.1 TLS already active", await dialog.CommandAsync("STARTTLS"));
    }

    [Fact]
    public async Task Auth_BeforeTls_NeedsEncryption()
    {
        await using var dialog = await _node.HelloAsync();

        Assert.StartsWith("538 5.7.11 ", await dialog.CommandAsync("AUTH PLAIN " + Plain(TestNode.User, TestNode.Password)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthPlain_GoodCredentials_AuthenticatesAndAllowsRelay()
    {
        await using var dialog = await TlsHelloAsync();

        Assert.Equal("235 2.7.0 Authentication successful", await dialog.CommandAsync("AUTH PLAIN " + Plain(TestNode.User, TestNode.Password)));
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        Assert.Equal("250 2.1.5 Recipient OK", await dialog.CommandAsync("RCPT TO:<b@elsewhere.example>"));
        await dialog.CommandAsync("DATA");
        var id = DataDialogTests.QueuedId(await dialog.CommandAsync("Subject: auth\r\n\r\nx\r\n."));
        Assert.Contains("with ESMTPSA id", Encoding.UTF8.GetString(await _node.ContentAsync(id)), StringComparison.Ordinal);
        Assert.Equal(TestNode.User, (await _node.Spool.GetAsync(new Core.Messages.MessageId(id), CancellationToken.None))!.Envelope.AuthenticatedUser);
    }

    [Fact]
    public async Task AuthPlain_WithoutInitialResponse_UsesChallenge()
    {
        await using var dialog = await TlsHelloAsync();

        Assert.Equal("334 ", await dialog.CommandAsync("AUTH PLAIN"));
        Assert.Equal("235 2.7.0 Authentication successful", await dialog.CommandAsync(Plain(TestNode.User, TestNode.Password)));
    }

    [Fact]
    public async Task AuthLogin_GoodCredentials_Authenticates()
    {
        await using var dialog = await TlsHelloAsync();

        Assert.Equal("334 VXNlcm5hbWU6", await dialog.CommandAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await dialog.CommandAsync(B64(TestNode.User)));
        Assert.Equal("235 2.7.0 Authentication successful", await dialog.CommandAsync(B64(TestNode.Password)));
    }

    [Fact]
    public async Task Auth_BadPassword_Is535()
    {
        await using var dialog = await TlsHelloAsync();

        Assert.Equal("535 5.7.8 Authentication credentials invalid", await dialog.CommandAsync("AUTH PLAIN " + Plain(TestNode.User, "wrong")));
    }

    [Fact]
    public async Task Auth_Cancelled_Is501()
    {
        await using var dialog = await TlsHelloAsync();
        await dialog.CommandAsync("AUTH LOGIN");

        Assert.Equal("501 5.7.0 Authentication cancelled", await dialog.CommandAsync("*"));
        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP"));
    }

    [Theory]
    [InlineData("AUTH CRAM-MD5", "504 5.5.4 ")]
    [InlineData("AUTH PLAIN !!!notbase64", "501 5.5.2 ")]
    public async Task Auth_BadMechanismOrEncoding_IsRefused(string command, string prefix)
    {
        await using var dialog = await TlsHelloAsync();

        Assert.StartsWith(prefix, await dialog.CommandAsync(command), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_Twice_Is503()
    {
        await using var dialog = await TlsHelloAsync();
        await dialog.CommandAsync("AUTH PLAIN " + Plain(TestNode.User, TestNode.Password));

        Assert.Equal("503 5.5.1 Already authenticated", await dialog.CommandAsync("AUTH PLAIN " + Plain(TestNode.User, TestNode.Password)));
    }

    internal static string Plain(string user, string password) => B64($"\0{user}\0{password}");

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private async Task<Testing.SmtpDialog> StartTlsAsync()
    {
        var dialog = await _node.HelloAsync();
        Assert.Equal("220 2.0.0 Ready to start TLS", await dialog.CommandAsync("STARTTLS"));
        await dialog.StartTlsAsync();
        return dialog;
    }

    private async Task<Testing.SmtpDialog> TlsHelloAsync()
    {
        var dialog = await StartTlsAsync();
        await dialog.CommandAsync("EHLO client.example");
        return dialog;
    }
}
