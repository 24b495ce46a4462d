using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>A node shipping its log and its delivery events to a syslog listener, RFC 5424 over UDP and over TCP (RFC 6587 octet counting).</summary>
public sealed partial class SyslogTests
{
    private const string EcsVersion = "8.11.0";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Serve_SyslogOverUdp_LogAndDeliveryEventsArriveAsRfc5424()
    {
        using var listener = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)listener.Client.LocalEndPoint!).Port;
        var received = new List<string>();
        using var stop = new CancellationTokenSource(Patience);
        var receiving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var datagram = await listener.ReceiveAsync(stop.Token);
                lock (received)
                {
                    received.Add(Encoding.UTF8.GetString(datagram.Buffer));
                }
            }
        });

        using var dir = new TempDirectory();
        await using var node = await StartAsync(dir, $"udp://127.0.0.1:{port}");
        var id = await SendOneAsync(node);

        await Poll.UntilAsync(() => Task.FromResult(Snapshot(received).Any(m => m.Contains(id, StringComparison.Ordinal))), Patience, "the delivery event over syslog");
        var messages = Snapshot(received);
        await stop.CancelAsync();
        await receiving.ContinueWith(_ => { }, TaskScheduler.Default);

        // A log line: mail.info (2 × 8 + 6), version 1, UTC timestamp, host, app, pid, MSGID = the event's name.
        Assert.Contains(messages, m => Header().IsMatch(m) && m.Contains(" sluice ", StringComparison.Ordinal) && m.Contains(" Listening - ", StringComparison.Ordinal));
        var reception = messages.Single(m => m.Contains(" delivery - ", StringComparison.Ordinal) && m.Contains(id, StringComparison.Ordinal));
        Assert.Matches(Header(), reception);
        var e = EventFiles.Parse(reception[(reception.IndexOf('\uFEFF', StringComparison.Ordinal) + 1)..]);
        Assert.Equal(id, e.MessageId);
        Assert.Equal(EcsVersion, e.Raw.GetProperty("ecs").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Serve_SyslogOverTcp_FramesCountTheirOctets()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var dir = new TempDirectory();
        await using var node = await StartAsync(dir, $"tcp://127.0.0.1:{port}");
        using var connection = await listener.AcceptTcpClientAsync().WaitAsync(Patience);
        var stream = connection.GetStream();

        // RFC 6587 §3.4.1: MSG-LEN SP SYSLOG-MSG, MSG-LEN in octets.
        var length = 0;
        int b;
        while ((b = stream.ReadByte()) != ' ')
        {
            Assert.InRange(b, '0', '9');
            length = (length * 10) + (b - '0');
        }

        var frame = new byte[length];
        await stream.ReadExactlyAsync(frame).AsTask().WaitAsync(Patience);
        Assert.Matches(Header(), Encoding.UTF8.GetString(frame));
    }

    private static Task<SluiceProcess> StartAsync(TempDirectory dir, string address)
    {
        var config = Path.Combine(dir.Path, "sluice.json");
        File.WriteAllText(config, $$"""{ "Logging": { "Syslog": { "Address": "{{address}}" } } }""");
        return SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config]);
    }

    private static async Task<string> SendOneAsync(SluiceProcess node)
    {
        await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
        await dialog.CommandAsync("EHLO syslog.test");
        await dialog.BeginDataAsync("s@sender.example", "r@rcpt.example");
        var reply = await dialog.CommandAsync("Subject: syslog\r\n\r\nx\r\n.");
        return QueuedAs().Match(reply).Groups[1].Value;
    }

    private static List<string> Snapshot(List<string> received)
    {
        lock (received)
        {
            return [.. received];
        }
    }

    [GeneratedRegex(@"^<22>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ sluice \d+ \S+ - \uFEFF")]
    private static partial Regex Header();

    [GeneratedRegex("^250 2.0.0 OK: queued as ([0-9A-Z]{26})")]
    private static partial Regex QueuedAs();
}
