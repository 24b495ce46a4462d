using System.Net;
using System.Net.Sockets;
using System.Text;
using Sluice.Server.Sessions;
using Sluice.Smtp;

namespace Sluice.Server.Tests;

/// <summary>The reply the spool's writer thread sends: all of it, or what the socket takes at once, never a wait.</summary>
public sealed class DurableReplyTests : IAsyncLifetime
{
    private static readonly SmtpReply Queued = new(250, new EnhancedStatusCode(2, 0, 0), "OK: queued as 01TEST");
    private const string Wire = "250 2.0.0 OK: queued as 01TEST\r\n";
    private Socket _server = null!;
    private Socket _client = null!;

    public async Task InitializeAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await _client.ConnectAsync(listener.LocalEndPoint!);
        _server = await listener.AcceptAsync();
    }

    public Task DisposeAsync()
    {
        _server.Dispose();
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Durable_SocketHasRoom_WholeReplyOnTheWire()
    {
        var reply = Armed();

        reply.Durable();

        Assert.Equal(Wire.Length, reply.Sent);
        Assert.True(reply.Unsent.IsEmpty);
        Assert.Equal(Wire, await ReadAsync(Wire.Length));
    }

    [Fact]
    public void Durable_ClientStoppedReadingAndBufferFull_SendsNothingWithoutBlocking()
    {
        _client.ReceiveBufferSize = 4096;
        _server.SendBufferSize = 4096;
        var chunk = new byte[16 * 1024];
        var filled = false;
        for (var i = 0; i < 10_000 && !filled; i++)
        {
            filled = NonBlockingSend.Send(_server, chunk) == 0;
        }

        Assert.True(filled);
        var reply = Armed();

        reply.Durable();

        Assert.Equal(0, reply.Sent);
        Assert.Equal(Wire, Encoding.ASCII.GetString(reply.Unsent));
    }

    [Fact]
    public void Durable_SocketClosed_SendsNothingAndDoesNotThrow()
    {
        var reply = Armed();
        _server.Dispose();

        reply.Durable();

        Assert.Equal(0, reply.Sent);
        Assert.Equal(Wire.Length, reply.Unsent.Length);
    }

    [Fact]
    public void Arm_SecondMessage_ForgetsWhatTheFirstSent()
    {
        var reply = Armed();
        reply.Durable();

        reply.Arm(new SmtpReply(250, new EnhancedStatusCode(2, 0, 0), "OK: queued as 02TEST"));

        Assert.Equal(0, reply.Sent);
        Assert.Equal("250 2.0.0 OK: queued as 02TEST\r\n", Encoding.ASCII.GetString(reply.Unsent));
    }

    private DurableReply Armed()
    {
        var reply = new DurableReply(_server);
        reply.Arm(Queued);
        return reply;
    }

    private async Task<string> ReadAsync(int length)
    {
        var buffer = new byte[length];
        var read = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (read < length)
        {
            var n = await _client.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, deadline.Token);
            Assert.NotEqual(0, n);
            read += n;
        }

        return Encoding.ASCII.GetString(buffer);
    }
}
