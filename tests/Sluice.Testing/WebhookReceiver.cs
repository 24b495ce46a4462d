using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Testing;

/// <summary>
/// The Python webhook receiver (<c>webhook_receiver.py</c>): checks signatures with its own HMAC,
/// records posts, and fails on request. Stopped by its PID when disposed.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly ChildProcess _process;
    private readonly HttpClient _http;

    private WebhookReceiver(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hook");

    /// <summary>Starts the receiver on <paramref name="port"/> (0: any free one) and waits until it listens.</summary>
    public static async Task<WebhookReceiver> StartAsync(string secret, int port = 0)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "webhook_receiver.py");
        var process = ChildProcess.Start("/usr/bin/python3", ["-u", script, secret, port.ToString(CultureInfo.InvariantCulture)]);
        var line = await Poll.ForAsync(
            () => Task.FromResult(process.Output.Split('\n').FirstOrDefault(l => l.StartsWith("listening ", StringComparison.Ordinal))),
            l => l is not null || process.HasExited,
            TimeSpan.FromSeconds(20),
            "the webhook receiver to listen").ConfigureAwait(false);
        if (line is null)
        {
            throw new InvalidOperationException("webhook receiver exited: " + process.Output);
        }

        return new WebhookReceiver(process, int.Parse(line["listening ".Length..].Trim(), CultureInfo.InvariantCulture));
    }

    /// <summary>Fails the next <paramref name="count"/> posts with 500 (−1: every post, 0: none).</summary>
    public async Task FailAsync(int count)
    {
        using var response = await _http.PostAsync(new Uri("control?fail=" + (count < 0 ? "always" : count.ToString(CultureInfo.InvariantCulture)), UriKind.Relative), null).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every post so far: <c>status</c>, <c>verified</c>, <c>webhookId</c>, <c>body</c>.</summary>
    public async Task<List<JsonElement>> ReceivedAsync()
        => await _http.GetFromJsonAsync<List<JsonElement>>(new Uri("received", UriKind.Relative)).ConfigureAwait(false) ?? [];

    /// <summary>The events of every post answered 200, in order.</summary>
    public async Task<List<JsonElement>> TakenEventsAsync()
        => (await ReceivedAsync().ConfigureAwait(false))
            .Where(p => p.GetProperty("status").GetInt32() == 200)
            .SelectMany(p => p.GetProperty("body").GetProperty("events").EnumerateArray())
            .ToList();

    public void Dispose()
    {
        _http.Dispose();
        _process.Dispose();
    }
}
