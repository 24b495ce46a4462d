using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// The bounce and complaint loop end to end, with real processes: a sink scripted to refuse every
/// recipient with 550 5.1.1, another scripted to accept and send an ARF complaint per recipient back
/// to the node's Feedback listener. The addresses are suppressed, the next send to them is refused
/// per recipient, the senders' rates show it, and a brake pauses the campaign (its mail held, other
/// mail flowing) until an operator resumes it.
/// </summary>
public sealed class DeliverabilityLoopTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private SluiceProcess _node = null!;
    private SluiceProcess _refusing = null!;
    private SluiceProcess _complaining = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var smtp = FreePort.Next(IPAddress.Loopback);
        var http = FreePort.Next(IPAddress.Loopback);
        var feedback = FreePort.Next(IPAddress.Loopback);

        // silent.test's MX refuses every recipient (550 5.1.1); fast.test's accepts and complains about each.
        _refusing = await world.StartSinkAsync(Path.Combine(_dir.Path, "refusing"), "127.0.0.10", "--rcpt-reject", "100");
        _complaining = await world.StartSinkAsync(Path.Combine(_dir.Path, "complaining"), "127.0.0.12", "--complain", "100", "--feedback-to", $"127.0.0.1:{feedback}");
        var config = Path.Combine(_dir.Path, "node.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": {
                "Hostname": "node.sluice.test",
                "Listeners": [
                  { "Address": "127.0.0.1:{{smtp}}", "Role": "Relay" },
                  { "Address": "127.0.0.1:{{feedback}}", "Role": "Feedback" }
                ]
              },
              "Delivery": { "MxPort": {{world.MxPort}}, "PollInterval": "00:00:00.200" },
              "Reputation": {
                "Brakes": [
                  { "Scope": "Tag", "MinimumSent": 3, "MaxBounceRate": 0.5, "Pause": "01:00:00" },
                  { "Scope": "SenderDomain", "Senders": [ "loop.example" ], "MinimumSent": 2, "MaxComplaintRate": 0.4, "Pause": "01:00:00" }
                ]
              }
            }
            """);
        _node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "data"), ["--config", config, "--dns", world.Dns.Endpoint.ToString()], smtpPort: smtp, httpPort: http, delivery: true, listenersFromConfig: true);
        _http = _node.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        await _refusing.DisposeAsync();
        await _complaining.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task HardBounces_FromAScriptedSink_SuppressTheAddressesAndBrakeTheCampaign()
    {
        using var receiver = await WebhookReceiver.StartAsync("whsec_loop_0123456789abcdef");
        using (var created = await _http.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative), new { url = receiver.Url.ToString(), events = new[] { "sender_paused", "sender_resumed" }, secret = "whsec_loop_0123456789abcdef" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var bounced = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            bounced.Add(await SendAsync("news@shop.example", $"gone{i}@silent.test", "spring"));
        }

        foreach (var id in bounced)
        {
            await UntilStateAsync(id, "bounced");
        }

        // Suppressed for every sender: the next send is refused for that recipient.
        using (var again = await SendRawAsync("other@else.example", "gone0@silent.test", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        }

        var senders = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/senders?scope=tag", UriKind.Relative));
        var spring = senders.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("sender").GetString() == "tag:spring");
        Assert.Equal((3, 3, 1.0), (spring.GetProperty("sent").GetInt64(), spring.GetProperty("bounced").GetInt64(), spring.GetProperty("bounceRate").GetDouble()));
        Assert.True(spring.TryGetProperty("pausedUntil", out var until) && until.ValueKind == JsonValueKind.String);

        var pauses = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/senders/pauses", UriKind.Relative));
        var pause = pauses.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("sender").GetString() == "tag:spring");
        Assert.Equal("bounce_rate", pause.GetProperty("cause").GetString());

        // The paused campaign's next message is held, untried; other mail from the same domain still goes.
        var held = await SendAsync("news@shop.example", "reader@example.test", "spring");
        var other = await SendAsync("news@shop.example", "reader2@example.test", "transactional");
        await UntilStateAsync(other, "delivered");
        await Poll.UntilAsync(async () => (await NodeApi.HeldAsync(_http)) == 1, Patience, "the paused campaign's message held");
        await UntilStateAsync(held, "held");
        Assert.Contains("held", Types(await MessageAsync(held)));

        var metrics = await _http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("sluice_reputation_pauses_total{cause=\"bounce_rate\",scope=\"tag\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("sluice_suppressions_added_total{reason=\"bounce\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("sluice_reputation_bounce_rate{scope=\"tag\",sender=\"spring\"} 1", metrics, StringComparison.Ordinal);

        // An operator lifts the pause: the held message goes at once.
        using (var resumed = await _http.DeleteAsync(new Uri("api/v1/senders/pauses/tag:spring", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        }

        await UntilStateAsync(held, "delivered");
        var hooked = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Count >= 2, Patience, "sender_paused and sender_resumed at the webhook");
        Assert.Equal(["sender_paused", "sender_resumed"], hooked.Select(e => e.GetProperty("type").GetString() ?? string.Empty).ToArray());
        Assert.Equal("tag:spring", hooked[0].GetProperty("sender").GetString());
        Assert.Equal("bounce_rate", hooked[0].GetProperty("classification").GetString());
        Assert.Contains("100.00", hooked[0].GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal("operator", hooked[1].GetProperty("classification").GetString());
    }

    [Fact]
    public async Task Complaints_FromAScriptedFeedbackLoop_SuppressForTheSenderAndBrakeIt()
    {
        var first = await SendAsync("news@loop.example", "c1@fast.test", "autumn");
        await UntilEventAsync(first, "complained");
        var second = await SendAsync("news@loop.example", "c2@fast.test", "autumn");
        await UntilEventAsync(second, "complained");

        // Suppressed for loop.example only (the default complaint scope).
        using (var refused = await SendRawAsync("news@loop.example", "c1@fast.test", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        }

        var senders = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/senders?scope=sender_domain", UriKind.Relative));
        var loop = senders.GetProperty("items").EnumerateArray().Single(s => s.GetProperty("sender").GetString() == "sender_domain:loop.example");
        Assert.Equal((2, 2), (loop.GetProperty("sent").GetInt64(), loop.GetProperty("complained").GetInt64()));
        var pauses = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/senders/pauses", UriKind.Relative));
        Assert.Equal("complaint_rate", pauses.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("sender").GetString() == "sender_domain:loop.example").GetProperty("cause").GetString());
        var metrics = await _http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.True(metrics.Contains("sluice_suppressions_added_total{reason=\"complaint\"} 2", StringComparison.Ordinal), metrics);

        // Another sending domain still reaches the complainer (that copy is complained about in turn: the sink complains about everything).
        using (var allowed = await SendRawAsync("news@elsewhere.example", "c1@fast.test", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        }
    }

    [Fact]
    public async Task SendersCli_PauseListResume_ThroughTheApi()
    {
        string[] api = ["--api", _node.HttpBase.ToString(), "--key", _node.ApiKey!, "--json"];
        var (code, stdout, stderr) = await SluiceProcess.RunAsync(["senders", "pause", "api_key:newsletter-tool", "--minutes", "15", "--reason", "list under review", .. api]);
        Assert.True(code == 0, stderr);
        Assert.Equal("operator", JsonDocument.Parse(stdout).RootElement.GetProperty("cause").GetString());

        (code, stdout, stderr) = await SluiceProcess.RunAsync(["senders", "paused", .. api]);
        Assert.True(code == 0, stderr);
        var pause = JsonDocument.Parse(stdout).RootElement.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("api_key:newsletter-tool", "list under review"), (pause.GetProperty("sender").GetString(), pause.GetProperty("reason").GetString()));

        (code, _, stderr) = await SluiceProcess.RunAsync(["senders", "resume", "api_key:newsletter-tool", .. api]);
        Assert.True(code == 0, stderr);
        (code, _, stderr) = await SluiceProcess.RunAsync(["senders", "resume", "api_key:newsletter-tool", .. api]);
        Assert.NotEqual(0, code);
        Assert.Contains("not paused", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await SluiceProcess.RunAsync(["senders", "pause", "campaign:x", .. api]);
        Assert.NotEqual(0, code);
        Assert.Contains("sender", stderr, StringComparison.Ordinal);
    }

    /// <summary>The only recipient's status (null until the index has the message).</summary>
    private static string? Status(JsonElement message)
        => message.GetProperty("recipients") is { ValueKind: JsonValueKind.Array } recipients ? recipients[0].GetProperty("status").GetString() : null;

    private static List<string?> Types(JsonElement message) => [.. message.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString())];

    private async Task<JsonElement> MessageAsync(string id) => await _http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative));

    private async Task UntilStateAsync(string id, string state)
    {
        JsonElement last = default;
        await Poll.UntilAsync(async () => Status(last = await MessageAsync(id)) == state, Patience, $"{id} {state}", () => last.ToString());
    }

    private async Task UntilEventAsync(string id, string type)
    {
        JsonElement last = default;
        await Poll.UntilAsync(async () => Types(last = await MessageAsync(id)).Contains(type), Patience, $"{type} in the timeline of {id}", () => last + "\nnode:\n" + _node.Output + "\nsink:\n" + _complaining.Output);
    }

    private Task<string> SendAsync(string from, string to, string tag) => NodeApi.SendAsync(_http, from, to, "loop " + to, tag);

    private Task<HttpResponseMessage> SendRawAsync(string from, string to, string? tag)
        => _http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from, to = new[] { to }, subject = "loop " + to, text = "hello", tags = tag is null ? Array.Empty<string>() : [tag] });
}
