using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>The node as an async server: thousands of idle clients do not lock others out.</summary>
public sealed class IdleConnectionTests
{
    private const int Addresses = 100;
    private const int PerAddress = 50;

    [Fact]
    public async Task IdleConnections_FiveThousandHeld_NewClientIsGreetedAndQueuesMail()
    {
        using var dir = new TempDirectory();
        await using var node = await SluiceProcess.StartAsync(dir.Path);
        var idle = new List<Socket>(Addresses * PerAddress);
        try
        {
            // 5,000 connections from 100 "hosts" (127.0.1.x), each greeted, then left silent.
            for (var a = 0; a < Addresses; a++)
            {
                var source = IPAddress.Parse($"127.0.1.{a + 1}");
                idle.AddRange(await Task.WhenAll(Enumerable.Range(0, PerAddress).Select(_ => OpenGreetedAsync(node.SmtpEndpoint, source))));
            }

            Assert.Equal(Addresses * PerAddress, idle.Count);

            // Someone new still gets in and has a message queued.
            await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint, IPAddress.Parse("127.0.2.1"));
            Assert.StartsWith("250", await dialog.CommandAsync("EHLO newcomer.example"), StringComparison.Ordinal);
            await dialog.BeginDataAsync();
            Assert.StartsWith("250 2.0.0 OK: queued as ", await dialog.CommandAsync("Subject: in a crowd\r\n\r\nhello\r\n."), StringComparison.Ordinal);

            // And the idle ones are all still there (none was dropped to make room).
            Assert.All(idle, socket => Assert.False(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0, "an idle connection was closed by the node"));
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task<Socket> OpenGreetedAsync(IPEndPoint endpoint, IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(endpoint);
            var greeting = new StringBuilder();
            var buffer = new byte[512];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!greeting.ToString().Contains("\r\n220 ", StringComparison.Ordinal) && !greeting.ToString().StartsWith("220 ", StringComparison.Ordinal))
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                Assert.True(n > 0, "closed before the greeting: " + greeting);
                greeting.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
