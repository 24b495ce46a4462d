using System.Collections.Concurrent;
using System.Text;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

public sealed class CrashTests
{
    private const int Clients = 20;

    /// <summary>
    /// SIGKILL while 20 clients send: every message that got a 250 is in the spool after restart,
    /// byte-identical, and every stored message is one a client really sent, whole.
    /// </summary>
    [Fact]
    public async Task Sigkill_DuringConcurrentSends_LosesNoAcknowledgedMessage()
    {
        using var dir = new TempDirectory();
        var node = await SluiceProcess.StartAsync(dir.Path);
        var acknowledged = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        var attempted = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(() => SendUntilDisconnectedAsync(node, c, acknowledged, attempted, stop.Token))).ToArray();

        // Let the load run until a good number of messages are acknowledged, then pull the plug mid-flight.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (acknowledged.Count < 400 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await node.KillAsync();
        await Task.WhenAll(clients);
        Assert.True(acknowledged.Count >= 100, $"only {acknowledged.Count} messages were acknowledged before the kill");

        // Restart: the node recovers the queue and serves again.
        await using (var restarted = await SluiceProcess.StartAsync(dir.Path))
        {
            using var http = restarted.CreateHttpClient();
            var summary = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/queue/summary", UriKind.Relative)));
            Assert.True(summary.RootElement.GetProperty("total").GetInt64() >= acknowledged.Count);
            Assert.Equal(0, await restarted.TerminateAsync(TimeSpan.FromSeconds(30)));
        }

        var stored = await SpoolVerifier.ReadAllAsync(dir.Path);
        foreach (var (id, body) in acknowledged)
        {
            Assert.True(stored.TryGetValue(id, out var bytes), $"acknowledged message {id} is missing");
            Assert.True(SpoolVerifier.IsHeaderPlus(bytes, body, id), $"message {id} is not byte-identical");
        }

        // Nothing half there: every stored message is a whole message some client sent.
        foreach (var (id, bytes) in stored)
        {
            var token = TokenOf(bytes);
            Assert.True(token is not null && attempted.TryGetValue(token, out var body) && SpoolVerifier.IsHeaderPlus(bytes, body, id), $"stored message {id} is not a whole sent message");
        }
    }

    private static async Task SendUntilDisconnectedAsync(SluiceProcess node, int client, ConcurrentDictionary<string, byte[]> acknowledged, ConcurrentDictionary<string, byte[]> attempted, CancellationToken stop)
    {
        var random = new Random(client);
        try
        {
            await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
            await dialog.CommandAsync("EHLO client" + client + ".example");
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var token = $"{client}-{n}";
                var body = Body(token, random);
                attempted[token] = body;
                Assert.StartsWith("250", await dialog.CommandAsync("MAIL FROM:<load@example.com>"), StringComparison.Ordinal);
                Assert.StartsWith("250", await dialog.CommandAsync($"RCPT TO:<r{client}@crash.example>"), StringComparison.Ordinal);
                Assert.StartsWith("354", await dialog.CommandAsync("DATA"), StringComparison.Ordinal);
                await dialog.SendAsync(Stuff(body));
                var reply = await dialog.CommandAsync(".");
                Assert.StartsWith("250 2.0.0 OK: queued as ", reply, StringComparison.Ordinal);
                acknowledged[reply["250 2.0.0 OK: queued as ".Length..]] = body;
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The node was killed: this client's last message, if any, was never acknowledged.
        }
    }

    private static byte[] Body(string token, Random random)
    {
        var text = new StringBuilder($"X-Token: {token}\r\nSubject: crash test\r\n\r\n");
        // One message in three is long enough (18–54 KB) to go to a segment file rather than into the database (ADR 0013).
        var lines = random.Next(3) == 0 ? random.Next(300, 900) : random.Next(1, 80);
        for (var i = 0; i < lines; i++)
        {
            text.Append(i % 7 == 0 ? "." : string.Empty).Append(new string((char)('a' + random.Next(26)), random.Next(0, 120))).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Stuff(byte[] body)
        => Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(body).Replace("\r\n.", "\r\n..", StringComparison.Ordinal));

    private static string? TokenOf(byte[] stored)
    {
        var text = Encoding.ASCII.GetString(stored);
        var start = text.IndexOf("X-Token: ", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += "X-Token: ".Length;
        var end = text.IndexOf("\r\n", start, StringComparison.Ordinal);
        return end < 0 ? null : text[start..end];
    }
}
