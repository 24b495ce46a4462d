using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

public sealed class SinkTests
{
    [Fact]
    public async Task Sink_Default_AcceptsAndStoresMessageEnvelopeAndConnectionLog()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, address: "127.0.0.3");
        await using (var dialog = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint))
        {
            await dialog.CommandAsync("EHLO sender.example");
            await dialog.BeginDataAsync("from@sender.example", "to@dest.example");
            var id = DataId(await dialog.CommandAsync("Subject: sink\r\n\r\nbody\r\n."));

            var stored = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Path.Combine(dir.Path, "new", id + ".eml")));
            Assert.StartsWith("Received: from sender.example", stored, StringComparison.Ordinal);
            Assert.EndsWith("\r\nSubject: sink\r\n\r\nbody\r\n", stored, StringComparison.Ordinal);
            var envelope = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.Path, "envelopes", id + ".json"))).RootElement;
            Assert.Equal("from@sender.example", envelope.GetProperty("sender").GetString());
            Assert.Equal("to@dest.example", envelope.GetProperty("recipients")[0].GetProperty("address").GetString());
            await dialog.CommandAsync("QUIT");
        }

        var stats = await sink.SinkStatsAsync();
        Assert.Equal(1, stats.GetProperty("accepted").GetInt64());
        Assert.Equal(1, stats.GetProperty("recipientsAccepted").GetInt64());
        var log = await PollAsync(() => File.ReadAllLinesAsync(Path.Combine(dir.Path, "connections.jsonl")), lines => lines.Length >= 2);
        Assert.Contains("\"event\":\"open\"", log[0], StringComparison.Ordinal);
        Assert.Contains("\"local\":\"127.0.0.3:", log[0], StringComparison.Ordinal);
        Assert.Contains("\"event\":\"close\"", log[1], StringComparison.Ordinal);
        Assert.Contains($"sluice sink listening: SMTP 127.0.0.3:{sink.SmtpPort}", sink.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sink_RcptReject_RefusesEveryRecipient()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, ["--rcpt-reject", "100"]);
        await using var dialog = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint);
        await dialog.CommandAsync("EHLO sender.example");
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");

        Assert.Equal("550 5.1.1 No such user (sink)", await dialog.CommandAsync("RCPT TO:<b@example.org>"));
        Assert.Equal(1, (await sink.SinkStatsAsync()).GetProperty("recipientsRefused").GetInt64());
    }

    [Fact]
    public async Task Sink_DataDeferWithCustomReply_DefersEveryMessage()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, ["--data-defer", "100", "--data-defer-reply", "452 4.3.1 Mailbox full for now"]);
        await using var dialog = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint);
        await dialog.CommandAsync("EHLO sender.example");
        await dialog.BeginDataAsync();

        Assert.Equal("452 4.3.1 Mailbox full for now", await dialog.CommandAsync("Subject: x\r\n\r\nx\r\n."));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "new")) && Directory.EnumerateFiles(Path.Combine(dir.Path, "new")).Any());
    }

    [Fact]
    public async Task Sink_Drop_HangsUpAfterDataWithoutReply()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, ["--drop", "100"]);
        await using var dialog = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint);
        await dialog.CommandAsync("EHLO sender.example");
        await dialog.BeginDataAsync();
        await dialog.SendAsync("Subject: x\r\n\r\nx\r\n.\r\n");

        Assert.True(await dialog.IsClosedByServerAsync());
        Assert.Equal(1, (await sink.SinkStatsAsync()).GetProperty("dropped").GetInt64());
    }

    [Fact]
    public async Task Sink_ConnectRefuse_Answers421StormAndCloses()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, ["--connect-refuse", "100"]);
        for (var i = 0; i < 3; i++)
        {
            await using var dialog = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint, readGreeting: false);
            Assert.Equal("421 4.7.0 Too busy, try later (sink)", await dialog.ReadReplyAsync());
            Assert.True(await dialog.IsClosedByServerAsync());
        }

        Assert.Equal(3, (await sink.SinkStatsAsync()).GetProperty("refusedConnections").GetInt64());
    }

    [Fact]
    public async Task Sink_Hide_LeavesExtensionsOutAndRefusesTheirCommands()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, ["--hide", "STARTTLS", "--hide", "chunking", "--hide", "PIPELINING"]);
        await using var dialog = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint);

        var ehlo = await dialog.CommandAsync("EHLO sender.example");

        Assert.DoesNotContain("STARTTLS", ehlo, StringComparison.Ordinal);
        Assert.DoesNotContain("CHUNKING", ehlo, StringComparison.Ordinal);
        Assert.DoesNotContain("PIPELINING", ehlo, StringComparison.Ordinal);
        Assert.Contains("8BITMIME", ehlo, StringComparison.Ordinal);
        Assert.Equal("500 5.5.2 Command not recognized", await dialog.CommandAsync("STARTTLS"));
        Assert.Equal("500 5.5.2 Command not recognized", await dialog.CommandAsync("BDAT 0 LAST"));
    }

    [Fact]
    public async Task Sink_Latency_DelaysEveryReply()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, ["--latency", "300"]);
        await using var dialog = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint);
        var watch = Stopwatch.StartNew();

        await dialog.CommandAsync("NOOP");
        await dialog.CommandAsync("NOOP");

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(600), $"two replies took {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Sink_ConcurrentConnections_AreCountedAtTheirPeak()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path);
        var dialogs = new List<SmtpDialog>();
        for (var i = 0; i < 3; i++)
        {
            dialogs.Add(await SmtpDialog.ConnectAsync(sink.SmtpEndpoint));
        }

        var stats = await sink.SinkStatsAsync();
        foreach (var d in dialogs)
        {
            await d.DisposeAsync();
        }

        Assert.Equal(3, stats.GetProperty("currentConnections").GetInt64());
        Assert.Equal(3, stats.GetProperty("maxConcurrentConnections").GetInt64());
        var log = await File.ReadAllLinesAsync(Path.Combine(dir.Path, "connections.jsonl"));
        Assert.Contains(log, line => line.Contains("\"open\":3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sink_ClientsResetMidMessageAndAwaitingTheReply_ConnectionsCountedOut()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, ["--latency", "300"]);
        await using (var plain = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint))
        await using (var tls = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint))
        await using (var handshake = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint))
        {
            await plain.CommandAsync("EHLO crash.test");
            await plain.BeginDataAsync();
            await plain.SendAsync("Subject: half\r\n\r\nhalf a bo");
            await tls.CommandAsync("EHLO crash.test");
            Assert.StartsWith("220", await tls.CommandAsync("STARTTLS"), StringComparison.Ordinal);
            await tls.StartTlsAsync();
            await tls.CommandAsync("EHLO crash.test");
            await tls.BeginDataAsync();
            await tls.SendAsync("Subject: whole\r\n\r\nbody\r\n.\r\n");
            await handshake.CommandAsync("EHLO crash.test");
            Assert.StartsWith("220", await handshake.CommandAsync("STARTTLS"), StringComparison.Ordinal);
            Assert.Equal(3, (await sink.SinkStatsAsync()).GetProperty("currentConnections").GetInt64());

            // The client hosts crash — mid-message, while the sink waits to answer a final dot, and in
            // the middle of the TLS handshake: the sink must count every connection out (a provider's
            // limit is counted this way).
            plain.Reset();
            tls.Reset();
            handshake.Reset();
        }

        await Poll.UntilAsync(async () => (await sink.SinkStatsAsync()).GetProperty("currentConnections").GetInt64() == 0, TimeSpan.FromSeconds(10), "every connection counted out");
        Assert.Equal(3, (await File.ReadAllLinesAsync(Path.Combine(dir.Path, "connections.jsonl"))).Count(l => l.Contains("\"close\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Sink_DeferPercentWithSeed_DefersAboutThatShare()
    {
        using var dir = new TempDirectory();
        await using var sink = await SluiceProcess.StartSinkAsync(dir.Path, ["--data-defer", "25", "--seed", "7"]);
        await using var dialog = await SmtpDialog.ConnectAsync(sink.SmtpEndpoint);
        await dialog.CommandAsync("EHLO sender.example");
        var deferred = 0;
        for (var i = 0; i < 200; i++)
        {
            await dialog.BeginDataAsync();
            var reply = await dialog.CommandAsync("Subject: x\r\n\r\nx\r\n.");
            deferred += reply.StartsWith("451 4.7.1 ", StringComparison.Ordinal) ? 1 : 0;
            Assert.True(reply.StartsWith("250 ", StringComparison.Ordinal) || reply.StartsWith("451 ", StringComparison.Ordinal), reply);
        }

        Assert.InRange(deferred, 30, 70);
        Assert.Equal(200 - deferred, (await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64());
    }

    [Theory]
    [InlineData("--data-defer-reply", "550 5.0.0 wrong class")]
    [InlineData("--rcpt-reject-reply", "not a reply")]
    [InlineData("--listen", "nowhere")]
    public async Task Sink_BadOption_ExitsWith2NamingIt(string option, string value)
    {
        var (code, _, stderr) = await SluiceProcess.RunAsync(["sink", option, value]);

        Assert.Equal(2, code);
        Assert.Contains(option == "--listen" ? "'nowhere' is not ADDRESS:PORT" : option, stderr, StringComparison.Ordinal);
    }

    private static string DataId(string reply)
    {
        Assert.StartsWith("250 2.0.0 OK: queued as ", reply, StringComparison.Ordinal);
        return reply["250 2.0.0 OK: queued as ".Length..];
    }


    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(20);
        }
    }
}
