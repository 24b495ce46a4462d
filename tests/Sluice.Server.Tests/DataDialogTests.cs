using System.Text;
using System.Text.RegularExpressions;
using Sluice.Core.Messages;

namespace Sluice.Server.Tests;

public sealed partial class DataDialogTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(o => o.Listeners[0].Limits.MaxMessageSize = 64 * 1024);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Data_Message_IsQueuedWithIdAndReceivedHeaderAndExactBytes()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        await dialog.CommandAsync("RCPT TO:<b@example.org>");
        Assert.Equal("354 End data with <CR><LF>.<CR><LF>", await dialog.CommandAsync("DATA"));

        var reply = await dialog.CommandAsync("Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.");

        var id = QueuedId(reply);
        var stored = Encoding.UTF8.GetString(await _node.ContentAsync(id));
        Assert.StartsWith($"Received: from client.example ([127.0.0.1])\r\n\tby mx.test.example (Sluice) with ESMTP id {id}\r\n\tfor <b@example.org>;", stored, StringComparison.Ordinal);
        Assert.EndsWith("\r\nSubject: hi\r\n\r\n.leading dot\r\nbody\r\n", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_DsnParameters_AreStoredWithEnvelope()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com> RET=HDRS ENVID=QQ314159 BODY=8BITMIME");
        await dialog.CommandAsync("RCPT TO:<b@example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;b@example.org");
        await dialog.CommandAsync("RCPT TO:<c@example.org> NOTIFY=NEVER");
        await dialog.CommandAsync("DATA");

        var id = QueuedId(await dialog.CommandAsync("Subject: dsn\r\n\r\nx\r\n."));

        var entry = await _node.Spool.GetAsync(new MessageId(id), CancellationToken.None);
        Assert.NotNull(entry);
        Assert.Equal("HDRS", entry.Envelope.Ret);
        Assert.Equal("QQ314159", entry.Envelope.EnvelopeId);
        Assert.Equal("8BITMIME", entry.Envelope.BodyType);
        Assert.Equal(new EnvelopeRecipient("b@example.org", "SUCCESS,DELAY", "rfc822;b@example.org"), entry.Envelope.Recipients[0]);
        Assert.Equal(new EnvelopeRecipient("c@example.org", "NEVER"), entry.Envelope.Recipients[1]);
        Assert.Equal("client.example", entry.Envelope.HeloName);
        Assert.Equal("127.0.0.1", entry.Envelope.ClientAddress);
    }

    [Fact]
    public async Task Data_TwoMessagesInOneSession_GetDistinctIncreasingIds()
    {
        await using var dialog = await _node.HelloAsync();
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            await dialog.BeginDataAsync();
            ids.Add(QueuedId(await dialog.CommandAsync($"Subject: {i}\r\n\r\nx\r\n.")));
        }

        Assert.True(string.CompareOrdinal(ids[0], ids[1]) < 0);
        Assert.Equal(2, _node.Spool.Depth);
    }

    [Fact]
    public async Task Data_SentInTinyWrites_IsStoredTheSame()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.BeginDataAsync();
        var body = "Subject: slow\r\n\r\n.\r\n..\r\nline\r\n";
        var wire = "Subject: slow\r\n\r\n..\r\n...\r\nline\r\n.\r\n";
        foreach (var chunk in wire.Chunk(3))
        {
            await dialog.SendAsync(new string(chunk));
        }

        var id = QueuedId(await dialog.ReadReplyAsync());

        Assert.EndsWith(body, Encoding.UTF8.GetString(await _node.ContentAsync(id)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_EightBitAndUtf8Content_IsStoredByteIdentical()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<jörg@bücher.example> SMTPUTF8 BODY=8BITMIME");
        await dialog.CommandAsync("RCPT TO:<zoë@example.org>");
        await dialog.CommandAsync("DATA");
        var body = new byte[] { 0x53, 0x3a, 0x20, 0xff, 0xfe, 0x80, 0x0d, 0x0a, 0x0d, 0x0a, 0xc3, 0xa9, 0x0d, 0x0a };
        await dialog.SendAsync(body);

        var id = QueuedId(await dialog.CommandAsync("."));

        var stored = await _node.ContentAsync(id);
        Assert.True(stored.AsSpan().EndsWith(body));
        Assert.Contains("with UTF8ESMTP id", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Subject: x\r\n\r\nbare\nlf\r\n.")]
    [InlineData("Subject: x\r\n\r\nbare\rcr\r\n.")]
    public async Task Data_BareLineEndingInContent_IsRefusedAndNothingStored(string content)
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.BeginDataAsync();

        Assert.StartsWith("550 5.6.0 ", await dialog.CommandAsync(content), StringComparison.Ordinal);
        Assert.Equal(0, _node.Spool.Depth);
        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Data_SmuggledLfDotLf_DoesNotEndMessage()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.BeginDataAsync();

        // A lenient server would end the message at "\n.\n" and run the smuggled MAIL as a command.
        var reply = await dialog.CommandAsync("Subject: x\r\n\r\nhi\n.\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n\r\nspoofed\r\n.");

        Assert.StartsWith("550 5.6.0 ", reply, StringComparison.Ordinal);
        Assert.Equal(0, _node.Spool.Depth);
    }

    [Fact]
    public async Task Data_TextLineOverLimit_IsRefused()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.BeginDataAsync();

        Assert.StartsWith("550 5.6.0 ", await dialog.CommandAsync("Subject: x\r\n\r\n" + new string('a', 1200) + "\r\n."), StringComparison.Ordinal);
        Assert.Equal(0, _node.Spool.Depth);
    }

    [Fact]
    public async Task Data_OverMaxSize_Is552AndNothingStoredAndSessionContinues()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.BeginDataAsync();
        var line = new string('x', 900) + "\r\n";
        var body = new StringBuilder("Subject: big\r\n\r\n");
        while (body.Length < 70 * 1024)
        {
            body.Append(line);
        }

        Assert.Equal("552 5.3.4 Message size exceeds fixed maximum message size", await dialog.CommandAsync(body + "."));
        Assert.Equal(0, _node.Spool.Depth);
        Assert.StartsWith("250 ", await dialog.CommandAsync("MAIL FROM:<a@example.com>"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bdat_Chunks_AreJoinedIntoOneMessage()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        await dialog.CommandAsync("RCPT TO:<b@example.org>");
        var first = "Subject: chunked\r\n\r\n";
        var second = ".no stuffing here\r\nend\r\n";

        await dialog.SendAsync($"BDAT {first.Length}\r\n{first}");
        Assert.Equal($"250 2.0.0 {first.Length} octets received", await dialog.ReadReplyAsync());
        await dialog.SendAsync($"BDAT {second.Length} LAST\r\n{second}");
        var id = QueuedId(await dialog.ReadReplyAsync());

        Assert.EndsWith(first + second, Encoding.UTF8.GetString(await _node.ContentAsync(id)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bdat_ZeroLast_EndsMessage()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        await dialog.CommandAsync("RCPT TO:<b@example.org>");
        await dialog.SendAsync("BDAT 10\r\nSubject:\r\n");
        await dialog.ReadReplyAsync();

        Assert.StartsWith("250 2.0.0 OK: queued as ", await dialog.CommandAsync("BDAT 0 LAST"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bdat_WithoutTransaction_ConsumesChunkThenRefuses()
    {
        await using var dialog = await _node.HelloAsync();

        await dialog.SendAsync("BDAT 14 LAST\r\nNOOP\r\nQUIT\r\nxx");

        Assert.Equal("503 5.5.1 Need MAIL command first", await dialog.ReadReplyAsync());
        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Bdat_BadSize_IsRefusedAndClosed()
    {
        await using var dialog = await _node.HelloAsync();

        Assert.StartsWith("501 5.5.4 ", await dialog.CommandAsync("BDAT lots"), StringComparison.Ordinal);
        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Bdat_OverMaxSize_Is552()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        await dialog.CommandAsync("RCPT TO:<b@example.org>");
        var content = string.Concat(Enumerable.Repeat(new string('y', 998) + "\r\n", 70));

        await dialog.SendAsync($"BDAT {content.Length} LAST\r\n{content}");

        Assert.StartsWith("552 5.3.4 ", await dialog.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal(0, _node.Spool.Depth);
    }

    [Fact]
    public async Task Data_DuringBdat_Is503()
    {
        await using var dialog = await _node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        await dialog.CommandAsync("RCPT TO:<b@example.org>");
        await dialog.SendAsync("BDAT 3\r\nab\n");
        await dialog.ReadReplyAsync();

        Assert.StartsWith("503 5.5.1 ", await dialog.CommandAsync("DATA"), StringComparison.Ordinal);
    }

    internal static string QueuedId(string reply)
    {
        var match = QueuedPattern().Match(reply);
        Assert.True(match.Success, $"expected a queued reply, got '{reply}'");
        return match.Groups[1].Value;
    }

    [GeneratedRegex("^250 2\\.0\\.0 OK: queued as ([0-9A-Z]{26})$")]
    private static partial Regex QueuedPattern();
}
