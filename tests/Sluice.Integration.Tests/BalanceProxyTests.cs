using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// The balancer's byte path apart from SMTP: `sluice balance` in front of raw TCP nodes (health
/// checks off, no PROXY header), checking what a TCP proxy owes its two sides — every byte in
/// order under back-pressure, half-closes passed on, resets, timeouts, names with several addresses.
/// </summary>
public sealed partial class BalanceProxyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Balance_LargeStreamBothWaysThroughASlowReadingNode_ArrivesByteForByte()
    {
        using var dir = new TempDirectory();
        // A 4 KiB receive window on the node and 1 KiB reads: the balancer's 64 KiB writes cannot go at once.
        await using var node = new RawTcpNode(RawTcpNode.Echo(1024), receiveBufferSize: 4096);
        await using var balancer = await StartAsync(dir, [node.Endpoint.ToString()]);

        var payload = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        using var client = await ConnectAsync(balancer);
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < payload.Length; offset += 256 * 1024)
            {
                await client.SendAsync(payload.AsMemory(offset, Math.Min(256 * 1024, payload.Length - offset)), SocketFlags.None);
            }

            client.Shutdown(SocketShutdown.Send);
        });
        var echoed = await ReadToEndAsync(client);
        await sending;

        Assert.Equal(payload.Length, echoed.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
    }

    [Fact]
    public async Task Balance_ClientHalfCloses_NodeSeesTheEndAndItsReplyStillArrives()
    {
        using var dir = new TempDirectory();
        var nodeSaw = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var node = new RawTcpNode(async socket =>
        {
            var request = Encoding.ASCII.GetString(await ReadToEndAsync(socket));
            nodeSaw.TrySetResult(request);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"got {request.Length} bytes"), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var balancer = await StartAsync(dir, [node.Endpoint.ToString()]);

        using var client = await ConnectAsync(balancer);
        await client.SendAsync("hello, then nothing more"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        var reply = Encoding.ASCII.GetString(await ReadToEndAsync(client));

        Assert.Equal("hello, then nothing more", await nodeSaw.Task.WaitAsync(Patience));
        Assert.Equal("got 24 bytes", reply);
    }

    [Fact]
    public async Task Balance_ClientResets_NodeConnectionClosedAndNothingLeftOpen()
    {
        using var dir = new TempDirectory();
        var nodeEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var node = new RawTcpNode(async socket =>
        {
            try
            {
                await ReadToEndAsync(socket);
            }
            finally
            {
                nodeEnded.TrySetResult();
            }
        });
        await using var balancer = await StartAsync(dir, [node.Endpoint.ToString()]);

        var client = await ConnectAsync(balancer);
        await client.SendAsync("some bytes"u8.ToArray(), SocketFlags.None);
        await Poll.UntilAsync(() => Task.FromResult(node.Accepted == 1), Patience, "the node took the connection");
        Assert.Equal(1, await OpenConnectionsAsync(balancer));
        client.LingerState = new LingerOption(true, 0);
        client.Dispose(); // RST

        await nodeEnded.Task.WaitAsync(Patience);
        await Poll.UntilAsync(async () => await OpenConnectionsAsync(balancer) == 0, Patience, "the balancer closed both sides");
    }

    [Fact]
    public async Task Balance_NodeEndsAndClientStaysSilent_ConnectionCutAfterCloseTimeout()
    {
        using var dir = new TempDirectory();
        await using var node = new RawTcpNode(async socket =>
        {
            await socket.SendAsync("bye"u8.ToArray(), SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);
            await ReadToEndAsync(socket);
        });
        await using var balancer = await StartAsync(dir, [node.Endpoint.ToString()], """ "CloseTimeout": "00:00:02", """);

        using var client = await ConnectAsync(balancer);
        Assert.Equal("bye", Encoding.ASCII.GetString(await ReadToEndAsync(client)));
        var ended = DateTime.UtcNow;
        Assert.Equal(1, await OpenConnectionsAsync(balancer));

        await Poll.UntilAsync(async () => await OpenConnectionsAsync(balancer) == 0, Patience, "the half-closed connection cut");
        Assert.True(DateTime.UtcNow - ended >= TimeSpan.FromSeconds(1), "cut by the timeout, not at once");
    }

    [Fact]
    public async Task Balance_FirstNodeNeverCompletesTheConnect_TimesOutAndFailsOverToTheNext()
    {
        using var dir = new TempDirectory();
        // A listener that never accepts, its backlog filled: further SYNs are dropped, connects hang.
        using var stuck = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stuck.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stuck.Listen(0);
        var fillers = new List<Socket>();
        for (var i = 0; i < 3; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            fillers.Add(filler);
            _ = filler.ConnectAsync(stuck.LocalEndPoint!);
        }

        await using var node = new RawTcpNode(RawTcpNode.Echo(4096));
        try
        {
            await using var balancer = await StartAsync(dir, [stuck.LocalEndPoint!.ToString()!, node.Endpoint.ToString()], """ "ConnectTimeout": "00:00:01", """);

            using var client = await ConnectAsync(balancer);
            await client.SendAsync("ping"u8.ToArray(), SocketFlags.None);
            client.Shutdown(SocketShutdown.Send);

            Assert.Equal("ping", Encoding.ASCII.GetString(await ReadToEndAsync(client)));
            Assert.Matches(@"refused a connection \(Timeout\)", balancer.Output);
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }

    [Fact]
    public async Task Balance_NodeGivenByName_ResolvedAndReached()
    {
        using var dir = new TempDirectory();
        await using var node = new RawTcpNode(RawTcpNode.Echo(4096));
        await using var balancer = await StartAsync(dir, [$"localhost:{node.Endpoint.Port}"]);

        using var client = await ConnectAsync(balancer);
        await client.SendAsync("by name"u8.ToArray(), SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);

        Assert.Equal("by name", Encoding.ASCII.GetString(await ReadToEndAsync(client)));
    }

    [Fact]
    public async Task Balance_StoppedWithAConnectionOpen_ServesItToTheEndThenExitsCleanly()
    {
        using var dir = new TempDirectory();
        await using var node = new RawTcpNode(RawTcpNode.Echo(4096));
        await using var balancer = await StartAsync(dir, [node.Endpoint.ToString()]);
        using var client = await ConnectAsync(balancer);
        await client.SendAsync("before"u8.ToArray(), SocketFlags.None);
        Assert.Equal("before", await ReadSomeAsync(client));

        var stopping = balancer.TerminateAsync(Patience);
        await Poll.UntilAsync(() => Task.FromResult(balancer.Output.Contains("Balancer stopping: 1 connections open", StringComparison.Ordinal)), Patience, "the balancer began to stop");
        await client.SendAsync("during"u8.ToArray(), SocketFlags.None);
        Assert.Equal("during", await ReadSomeAsync(client));
        Assert.False(stopping.IsCompleted, "the open connection keeps the balancer up");
        client.Shutdown(SocketShutdown.Send);
        Assert.Empty(await ReadToEndAsync(client));

        Assert.Equal(0, await stopping);
    }

    /// <summary>A balancer over <paramref name="members"/> (policy First, in order), health checks off, no PROXY header.</summary>
    private static async Task<SluiceProcess> StartAsync(TempDirectory dir, IReadOnlyList<string> members, string extra = "")
    {
        var config = Path.Combine(dir.Path, "balance.json");
        var list = string.Join(", ", members.Select((m, i) => string.Create(CultureInfo.InvariantCulture, $$"""{ "Name": "m{{i}}", "Address": "{{m}}" }""")));
        await File.WriteAllTextAsync(config, $$"""
            {
              "Balance": {
                {{extra}}
                "ProxyProtocol": "None",
                "Pools": [ { "Name": "raw", "Policy": "First", "Members": [ {{list}} ], "HealthCheck": { "Enabled": false } } ]
              }
            }
            """);
        return await SluiceProcess.StartBalancerAsync(dir.Path, ["--config", config]);
    }

    private static async Task<Socket> ConnectAsync(SluiceProcess balancer)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(balancer.SmtpEndpoint).WaitAsync(Patience);
        return socket;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Patience)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return received.ToArray();
    }

    private static async Task<string> ReadSomeAsync(Socket socket)
    {
        var buffer = new byte[4096];
        var n = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Patience);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }

    private static async Task<int> OpenConnectionsAsync(SluiceProcess balancer)
    {
        using var http = balancer.CreateHttpClient();
        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        var match = OpenGauge().Match(metrics);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"^sluice_balance_connections_open(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex OpenGauge();
}
