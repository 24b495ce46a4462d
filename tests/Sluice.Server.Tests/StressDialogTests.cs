using System.Net;
using Microsoft.Extensions.Time.Testing;
using Sluice.Testing;

namespace Sluice.Server.Tests;

/// <summary>Stress mode: past the high-water mark timeouts shrink and addresses get a fair share.</summary>
public sealed class StressDialogTests
{
    [Fact]
    public async Task IdleSessions_ListenerPassesHighWaterMark_WaitingSessionsGetTheStressTimeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await TestNode.StartAsync(
            o =>
            {
                var limits = o.Listeners[0].Limits;
                limits.MaxConnections = 8;
                limits.StressThreshold = 0.5;
                limits.StressTimeout = TimeSpan.FromSeconds(10);
                limits.CommandTimeout = TimeSpan.FromMinutes(5);
            },
            time);
        var idle = new List<SmtpDialog>();
        for (var i = 0; i < 4; i++)
        {
            idle.Add(await node.HelloAsync());
        }

        // Four of eight: not under stress, so 11 idle seconds are nothing.
        time.Advance(TimeSpan.FromSeconds(11));
        foreach (var dialog in idle)
        {
            Assert.Equal("250 2.0.0 OK", await dialog.CommandAsync("NOOP"));
        }

        // The fifth passes the mark: the sessions already waiting are cut 10 s after their wait began.
        // (The fifth arms its own wait just after its EHLO reply, perhaps after the clock moved: the
        // clock then steps on a second at a time, never past a minute — far below the 5-minute
        // command timeout that a session not under stress would have.)
        idle.Add(await node.HelloAsync());
        time.Advance(TimeSpan.FromSeconds(11));
        var stepped = TimeSpan.Zero;
        foreach (var dialog in idle)
        {
            var reply = dialog.ReadReplyAsync();
            await Poll.UntilAsync(
                () =>
                {
                    if (!reply.IsCompleted && stepped < TimeSpan.FromMinutes(1))
                    {
                        time.Advance(TimeSpan.FromSeconds(1));
                        stepped += TimeSpan.FromSeconds(1);
                    }

                    return Task.FromResult(reply.IsCompleted);
                },
                TimeSpan.FromSeconds(15),
                "the stress timeout's 421");
            Assert.Equal("421 4.4.2 Timeout, closing connection", await reply);
            Assert.True(await dialog.IsClosedByServerAsync());
            await dialog.DisposeAsync();
        }

        // Once the crowd is gone the usual timeout is back.
        await Poll.UntilAsync(() => Task.FromResult(node.Server.OpenSessions == 0), TimeSpan.FromSeconds(10), "the timed-out sessions to end");
        await using var calm = await node.HelloAsync();
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("250 2.0.0 OK", await calm.CommandAsync("NOOP"));
    }

    [Fact]
    public async Task Connections_UnderStress_AnAddressOverItsFairShareIsRefusedANewcomerIsNot()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            var listener = o.Listeners[0];
            listener.Limits.MaxConnections = 10;
            listener.Limits.MaxConnectionsPerClient = 50;
            listener.Limits.StressThreshold = 0.5;
            listener.Limits.LimitTrustedClients = true;
        });
        var greedy = IPAddress.Parse("127.0.0.2");
        var held = new List<SmtpDialog>();
        try
        {
            // 127.0.0.2 alone: five connections take it to the mark; the sixth is over its share
            // (10 divided between it and one newcomer), though the listener has room for four more.
            for (var i = 0; i < 5; i++)
            {
                held.Add(await SmtpDialog.ConnectAsync(node.Endpoint, greedy));
            }

            await using (var sixth = await SmtpDialog.ConnectAsync(node.Endpoint, greedy, readGreeting: false))
            {
                Assert.Equal("421 4.7.0 Too many connections from your address, try again later", await sixth.ReadReplyAsync());
            }

            // Another address still gets in and is served.
            await using var newcomer = await SmtpDialog.ConnectAsync(node.Endpoint, IPAddress.Parse("127.0.0.3"));
            Assert.StartsWith("250 ", await newcomer.CommandAsync("HELO newcomer.example"), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var dialog in held)
            {
                await dialog.DisposeAsync();
            }
        }
    }
}
