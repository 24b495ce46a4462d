using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// A node relaying to a sink, scraped every second by a real Prometheus, after a bounded burst of
/// mail from parallel SMTP clients (the load the observability tests read back).
/// </summary>
public sealed class ObservedNode : IAsyncLifetime
{
    public const int Clients = 8;
    public const int MessagesPerClient = 40;

    private readonly TempDirectory _dir = new();

    public SluiceProcess Sink { get; private set; } = null!;

    public SluiceProcess Node { get; private set; } = null!;

    public PrometheusServer Prometheus { get; private set; } = null!;

    /// <summary>Messages the node answered 250 to.</summary>
    public int Accepted { get; private set; }

    public async Task InitializeAsync()
    {
        Sink = await SluiceProcess.StartSinkAsync(Path.Combine(_dir.Path, "sink"));
        Node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "node"), ["--relay-host", Sink.SmtpEndpoint.ToString()], delivery: true);
        Prometheus = await PrometheusServer.StartAsync([new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Node.HttpPort)], TimeSpan.FromSeconds(1));

        // Scrapes see the counters move: scraping has begun before the clients start, and they send
        // for a few seconds (paced), not in one instant.
        await Poll.UntilAsync(async () => await Prometheus.QueryAsync("up{job=\"sluice\"}") == 1, TimeSpan.FromSeconds(60), "the first scrape", () => Prometheus.Output);
        var sent = await Task.WhenAll(Enumerable.Range(0, Clients).Select(SendAsync));
        Accepted = sent.Sum();
    }

    public async Task DisposeAsync()
    {
        Prometheus?.Dispose();
        if (Node is not null)
        {
            await Node.DisposeAsync();
        }

        if (Sink is not null)
        {
            await Sink.DisposeAsync();
        }

        _dir.Dispose();
    }

    private async Task<int> SendAsync(int client)
    {
        var accepted = 0;
        for (var i = 0; i < MessagesPerClient; i++)
        {
            await using var dialog = await SmtpDialog.ConnectAsync(Node.SmtpEndpoint);
            await dialog.CommandAsync("EHLO load.test");
            await dialog.BeginDataAsync($"c{client}@news.example", $"r{i}@sink.example");
            var reply = await dialog.CommandAsync($"Subject: {client}/{i}\r\n\r\nload\r\n.");
            if (reply.StartsWith("250", StringComparison.Ordinal))
            {
                accepted++;
            }

            await dialog.CommandAsync("QUIT");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        return accepted;
    }
}
