using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace Sluice.Server.Tests;

public sealed class LimitDialogTests
{
    [Fact]
    public async Task Rcpt_OverMaxRecipients_Is452AfterAtLeast100()
    {
        await using var node = await TestNode.StartAsync();
        await using var dialog = await node.HelloAsync();
        await dialog.CommandAsync("MAIL FROM:<a@example.com>");
        var batch = string.Concat(Enumerable.Range(0, 101).Select(i => $"RCPT TO:<r{i}@example.org>\r\n"));
        await dialog.SendAsync(batch);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("250 2.1.5 Recipient OK", await dialog.ReadReplyAsync());
        }

        Assert.Equal("452 4.5.3 Too many recipients", await dialog.ReadReplyAsync());
    }

    [Fact]
    public async Task CommandLine_OverLimit_Is500AndSessionContinues()
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.CommandLineTolerance = 0);
        await using var dialog = await node.HelloAsync();

        Assert.Equal("500 5.5.2 Line too long", await dialog.CommandAsync("NOOP " + new string('x', 600)));
        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task CommandLine_WithinTolerance_IsAccepted()
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.CommandLineTolerance = 512);
        await using var dialog = await node.HelloAsync();

        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP " + new string('x', 600)));
    }

    [Fact]
    public async Task CommandLine_LongWithoutLineEnd_IsRefusedOnceThenResynchronised()
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.CommandLineTolerance = 0);
        await using var dialog = await node.HelloAsync();
        await dialog.SendAsync(new string('x', 5000));

        Assert.Equal("500 5.5.2 Line too long", await dialog.ReadReplyAsync());
        await dialog.SendAsync(new string('x', 5000) + "\r\n");
        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP"));
    }

    [Theory]
    [InlineData("NOOP\n")]
    [InlineData("NO\rOP\r\n")]
    public async Task CommandLine_BareLineEnding_Is500(string raw)
    {
        await using var node = await TestNode.StartAsync();
        await using var dialog = await node.HelloAsync();
        await dialog.SendAsync(raw);

        Assert.Equal("500 5.5.2 Bare CR or LF not allowed; lines end with CRLF", await dialog.ReadReplyAsync());
    }

    [Fact]
    public async Task Errors_OverLimit_Close421()
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.MaxErrors = 3);
        await using var dialog = await node.HelloAsync();
        for (var i = 0; i < 4; i++)
        {
            Assert.StartsWith("500 ", await dialog.CommandAsync("BOGUS"), StringComparison.Ordinal);
        }

        Assert.Equal("421 4.7.0 Too many errors, closing connection", await dialog.CommandAsync("NOOP"));
        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Connections_TrustedClientOverPerClientLimit_AreAllServed()
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.MaxConnectionsPerClient = 2);
        var dialogs = new List<Testing.SmtpDialog>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                dialogs.Add(await node.ConnectAsync(readGreeting: false));
            }

            foreach (var dialog in dialogs)
            {
                await dialog.ReadGreetingAsync();
            }
        }
        finally
        {
            foreach (var dialog in dialogs)
            {
                await dialog.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Connections_OverPerClientLimit_Get421()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Listeners[0].Limits.MaxConnectionsPerClient = 2;
            o.Listeners[0].Limits.LimitTrustedClients = true;
        });
        await using var first = await node.ConnectAsync();
        await using var second = await node.ConnectAsync();
        await using var third = await node.ConnectAsync(readGreeting: false);

        Assert.Equal("421 4.7.0 Too many connections from your address, try again later", await third.ReadReplyAsync());
        Assert.True(await third.IsClosedByServerAsync());
    }

    [Fact]
    public async Task Connections_OverTotalLimit_Get421AndFreedSlotIsReused()
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.MaxConnections = 1);
        var first = await node.ConnectAsync();
        await using (var refused = await node.ConnectAsync(readGreeting: false))
        {
            Assert.Equal("421 4.7.0 Too many connections, try again later", await refused.ReadReplyAsync());
        }

        await first.CommandAsync("QUIT");
        Assert.True(await first.IsClosedByServerAsync());
        await first.DisposeAsync();
        await using var again = await ConnectEventuallyAsync(node);
        Assert.Equal("250 2.0.0 OK", await again.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task EarlyTalker_BeforeGreeting_IsRefused()
    {
        // The EHLO must reach the server within the delay: 300 ms was not always enough for a test
        // client starved of CPU beside the integration tests (CI at b641656 saw its EHLO answered).
        await using var node = await TestNode.StartAsync(o => Untrusted(o).Limits.GreetingDelay = TimeSpan.FromSeconds(3));
        await using var dialog = await node.ConnectAsync(readGreeting: false);
        await dialog.SendAsync("EHLO impatient.example\r\n");

        await dialog.ReadGreetingAsync();
        Assert.Equal("554 5.5.0 Protocol error: client sent data before the greeting", await dialog.ReadReplyAsync());
        Assert.True(await dialog.IsClosedByServerAsync());
    }

    /// <summary>
    /// Without a greeting delay, clients that write in the same breath as they connect are refused,
    /// every one whose bytes left before the greeting reached it (nothing was waiting for the client
    /// when its send returned: on loopback the segment is delivered within the send), and a hundred
    /// that wait for the greeting are all served: the test does not race the client's bytes. A
    /// client paused between connect and send (a loaded test machine) may talk after the greeting
    /// arrived; it is not early then, and not counted.
    /// </summary>
    [Fact]
    public async Task EarlyTalker_NoGreetingDelay_EveryOneIsRefusedAndPatientClientsAreServed()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            var listener = Untrusted(o);
            listener.Limits.GreetingDelay = TimeSpan.Zero;
            listener.Limits.MaxConnectionsPerClient = 200;
        });
        var early = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(node.Endpoint);
            socket.Send("EHLO impatient.example\r\n"u8);
            var sentBeforeGreeting = socket.Available == 0;
            socket.Shutdown(SocketShutdown.Send);
            var answer = await ReadAllAsync(socket);
            if (sentBeforeGreeting)
            {
                early.Add(answer);
            }
        }

        var patient = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            await using var dialog = await node.ConnectAsync();
            return await dialog.CommandAsync("HELO patient.example");
        }));

        Assert.True(early.Count >= 50, $"only {early.Count} of 100 clients managed to talk before the greeting");
        Assert.All(early, text => Assert.Contains("\r\n554 5.5.0 ", text, StringComparison.Ordinal));
        Assert.All(patient, reply => Assert.StartsWith("250 ", reply, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EarlyTalker_AnswersTheGreetingsFirstLine_IsRefused()
    {
        await using var node = await TestNode.StartAsync(o => Untrusted(o).Limits.GreetingDelay = TimeSpan.FromMilliseconds(200));
        await using var dialog = await node.ConnectAsync(readGreeting: false);

        // RFC 5321 §4.2.1: a reply is complete at its line without a hyphen; "220-" is not yet it.
        Assert.Equal("220-mx.test.example ESMTP Sluice", await dialog.ReadLineAsync());
        await dialog.SendAsync("EHLO hasty.example\r\n");

        Assert.Equal("220 mx.test.example ESMTP Sluice", await dialog.ReadLineAsync());
        Assert.StartsWith("554 5.5.0 ", await dialog.ReadReplyAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdleSession_PastCommandTimeout_Gets421()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.CommandTimeout = TimeSpan.FromMinutes(5), time);
        await using var dialog = await node.HelloAsync();

        time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP"));
        time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));

        Assert.Equal("421 4.4.2 Timeout, closing connection", await dialog.ReadReplyAsync());
        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Fact]
    public async Task CommandLine_DrippedPastTheDeadline_Gets421()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.CommandTimeout = TimeSpan.FromMinutes(5), time);
        await using var dialog = await node.HelloAsync();

        // A byte now and then: each read would restart an idle timer, but the line's deadline keeps running.
        await dialog.SendAsync("NO");
        time.Advance(TimeSpan.FromMinutes(2));
        await dialog.SendAsync("O");
        time.Advance(TimeSpan.FromMinutes(2));
        await dialog.SendAsync("P");
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        Assert.Equal("421 4.4.2 Timeout, closing connection", await dialog.ReadReplyAsync());
        Assert.True(await dialog.IsClosedByServerAsync());
    }

    [Fact]
    public async Task SlowData_BelowMinimumRate_Gets421()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await TestNode.StartAsync(
            o =>
            {
                o.Listeners[0].Limits.MinDataRate = 100;
                o.Listeners[0].Limits.DataRateGracePeriod = TimeSpan.FromSeconds(10);
            },
            time);
        await using var dialog = await node.HelloAsync();
        await dialog.BeginDataAsync();

        time.Advance(TimeSpan.FromSeconds(30));
        await dialog.SendAsync("Subject: drip\r\n");

        Assert.Equal("421 4.4.2 Data rate too low, closing connection", await dialog.ReadReplyAsync());
        Assert.Equal(0, node.Spool.Depth);
    }

    private static async Task<Testing.SmtpDialog> ConnectEventuallyAsync(TestNode node)
    {
        // The server releases the slot just after the client sees the close: poll with a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var dialog = await node.ConnectAsync(readGreeting: false);
            var reply = await dialog.ReadReplyAsync();
            if (reply.StartsWith("220", StringComparison.Ordinal))
            {
                return dialog;
            }

            await dialog.DisposeAsync();
            Assert.True(DateTime.UtcNow < deadline, "slot was never released");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task EarlyTalker_TrustedClient_IsNotTested()
    {
        await using var node = await TestNode.StartAsync(o => o.Listeners[0].Limits.GreetingDelay = TimeSpan.FromMilliseconds(200));
        await using var dialog = await node.ConnectAsync(readGreeting: false);
        await dialog.SendAsync("EHLO app.example\r\n");

        // Postfix's postscreen_access_list = permit_mynetworks: trusted clients get the plain greeting.
        Assert.Equal("220 mx.test.example ESMTP Sluice", await dialog.ReadReplyAsync());
        Assert.StartsWith("250-mx.test.example", await dialog.ReadReplyAsync(), StringComparison.Ordinal);
    }

    /// <summary>The pre-greet test applies to untrusted clients: the listener trusts no network.</summary>
    private static Configuration.SmtpListenerOptions Untrusted(Configuration.SmtpServerOptions options)
    {
        options.Listeners[0].TrustedNetworks = [];
        return options.Listeners[0];
    }

    private static async Task<string> ReadAllAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var text = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            text.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }

        return text.ToString();
    }
}
