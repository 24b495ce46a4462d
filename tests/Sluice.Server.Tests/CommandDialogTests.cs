namespace Sluice.Server.Tests;

public sealed class CommandDialogTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Greeting_TrustedClient_Is220WithHostnameInOneLine()
    {
        await using var dialog = await _node.ConnectAsync(readGreeting: false);

        // 127.0.0.1 is in this listener's trusted networks: no pre-greet test.
        Assert.Equal("220 mx.test.example ESMTP Sluice", await dialog.ReadReplyAsync());
    }

    [Fact]
    public async Task Ehlo_BeforeTls_AdvertisesExtensionsButNotAuth()
    {
        await using var dialog = await _node.ConnectAsync();

        var reply = await dialog.CommandAsync("EHLO client.example");

        Assert.Equal(
            "250-mx.test.example\n250-PIPELINING\n250-SIZE 36700160\n250-8BITMIME\n250-SMTPUTF8\n250-ENHANCEDSTATUSCODES\n250-CHUNKING\n250-DSN\n250-STARTTLS\n250 HELP",
            reply);
    }

    [Fact]
    public async Task Helo_WithDomain_Is250()
    {
        await using var dialog = await _node.ConnectAsync();

        Assert.Equal("250 mx.test.example", await dialog.CommandAsync("HELO client.example"));
    }

    [Theory]
    [InlineData("EHLO")]
    [InlineData("EHLO bad_name!")]
    [InlineData("HELO -leading.example")]
    public async Task Hello_WithoutValidDomain_Is501(string command)
    {
        await using var dialog = await _node.ConnectAsync();

        Assert.StartsWith("501 5.5.4 ", await dialog.CommandAsync(command), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ehlo_AddressLiteral_IsAccepted()
    {
        await using var dialog = await _node.ConnectAsync();

        Assert.StartsWith("250-", await dialog.CommandAsync("EHLO [127.0.0.1]"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NOOP", "250 2.0.0 OK")]
    [InlineData("RSET", "250 2.0.0 Reset OK")]
    [InlineData("VRFY alice", "252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery")]
    [InlineData("EXPN staff", "502 5.5.1 Command not implemented")]
    [InlineData("XYZZY", "500 5.5.2 Command not recognized")]
    [InlineData("RSET now", "501 5.5.4 Syntax error in parameters or arguments")]
    [InlineData("VRFY", "501 5.5.4 Syntax error in parameters or arguments")]
    public async Task Command_Simple_GivesExpectedReply(string command, string expected)
    {
        await using var dialog = await _node.HelloAsync();

        Assert.Equal(expected, await dialog.CommandAsync(command));
    }

    [Fact]
    public async Task Help_Is214WithEnhancedCode()
    {
        await using var dialog = await _node.HelloAsync();

        Assert.StartsWith("214 2.0.0 ", await dialog.CommandAsync("HELP"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quit_Replies221AndCloses()
    {
        await using var dialog = await _node.HelloAsync();

        Assert.Equal("221 2.0.0 Bye", await dialog.CommandAsync("QUIT"));
        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Theory]
    [InlineData("MAIL FROM:<a@example.com>")]
    [InlineData("RCPT TO:<a@example.com>")]
    [InlineData("DATA")]
    public async Task Transaction_BeforeEhlo_Is503(string command)
    {
        await using var dialog = await _node.ConnectAsync();

        Assert.StartsWith("503 5.5.1 ", await dialog.CommandAsync(command), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rcpt_BeforeMail_Is503()
    {
        await using var dialog = await _node.HelloAsync();

        Assert.Equal("503 5.5.1 Need MAIL command first", await dialog.CommandAsync("RCPT TO:<b@example.org>"));
    }

    [Fact]
    public async Task Data_BeforeRcpt_Is503()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.Equal("503 5.5.1 Need RCPT command first", await dialog.CommandAsync("DATA"));
    }

    [Fact]
    public async Task Mail_Twice_IsNested503()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.Equal("503 5.5.1 Nested MAIL command", await dialog.CommandAsync("MAIL FROM:<a@example.com>"));
    }

    [Fact]
    public async Task Rset_InTransaction_ForgetsSender()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        await dialog.CommandAsync("RSET");

        Assert.StartsWith("503 ", await dialog.CommandAsync("RCPT TO:<b@example.org>"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@example.com> FOO=BAR", "555 5.5.4 ")]
    [InlineData("MAIL FROM:<a@example.com> BODY=BINARYMIME", "555 5.5.4 ")]
    [InlineData("MAIL FROM:<a@example.com> SIZE=99999999999", "552 5.3.4 ")]
    [InlineData("MAIL FROM:<a@example.com> SIZE=abc", "501 5.5.4 ")]
    [InlineData("MAIL FROM:<a@example.com> RET=MOST", "501 5.5.4 ")]
    [InlineData("MAIL FROM:<a@example.com> ENVID=bad=value", "501 5.5.4 ")]
    [InlineData("MAIL FROM:a@example.com", "501 5.1.7 ")]
    [InlineData("MAIL FROM:<jörg@example.com>", "553 5.6.7 ")]
    [InlineData("MAIL FROM:<a@example.com> SIZE=1000 BODY=8BITMIME RET=HDRS ENVID=abc+2B1 AUTH=<>", "250 2.1.0 ")]
    [InlineData("MAIL FROM:<jörg@bücher.example> SMTPUTF8", "250 2.1.0 ")]
    [InlineData("MAIL FROM:<>", "250 2.1.0 ")]
    public async Task Mail_Parameters_AreCheckedPerRfc(string command, string expectedPrefix)
    {
        await using var dialog = await _node.HelloAsync();

        Assert.StartsWith(expectedPrefix, await dialog.CommandAsync(command), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.org", "250 2.1.5 ")]
    [InlineData("RCPT TO:<b@example.org> NOTIFY=NEVER", "250 2.1.5 ")]
    [InlineData("RCPT TO:<b@example.org> NOTIFY=SOMETIMES", "501 5.5.4 ")]
    [InlineData("RCPT TO:<b@example.org> ORCPT=nosemicolon", "501 5.5.4 ")]
    [InlineData("RCPT TO:<b@example.org> XFOO", "555 5.5.4 ")]
    [InlineData("RCPT TO:<>", "501 5.1.3 ")]
    [InlineData("RCPT TO:<postmaster>", "250 2.1.5 ")]
    [InlineData("RCPT TO:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.org>", "553 5.1.3 ")]
    public async Task Rcpt_Parameters_AreCheckedPerRfc(string command, string expectedPrefix)
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.StartsWith(expectedPrefix, await dialog.CommandAsync(command), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpRequest_AsFirstCommand_ClosesWithoutReply()
    {
        await using var dialog = await _node.ConnectAsync();
        await dialog.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Theory]
    [InlineData("POST /api HTTP/1.1")]
    [InlineData("CONNECT mx.example:25 HTTP/1.1")]
    public async Task HttpVerbs_AsFirstCommand_Close(string line)
    {
        await using var dialog = await _node.ConnectAsync();
        await dialog.SendAsync(line + "\r\n");

        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Pipelining_BatchOfCommands_IsAnsweredInOrder()
    {
        await using var dialog = await _node.HelloAsync();

        await dialog.SendAsync("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<bad>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n");

        Assert.Equal("250 2.1.0 Sender OK", await dialog.ReadReplyAsync());
        Assert.Equal("250 2.1.5 Recipient OK", await dialog.ReadReplyAsync());
        Assert.StartsWith("501 5.1.3", await dialog.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal("250 2.1.5 Recipient OK", await dialog.ReadReplyAsync());
        Assert.StartsWith("354 ", await dialog.ReadReplyAsync(), StringComparison.Ordinal);
    }
}
