using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// Reply-driven shaping with real processes: a sink answering part of the mail with a provider's
/// "unusual rate" reply makes the node send to it at the rule's rate; once the sink stops throttling
/// and the rule's time is up, the node sends at full speed again.
/// </summary>
public sealed class ReplyShapingTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>, IAsyncLifetime
{
    private const double ReducedRate = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _dir = new();
    private SluiceProcess _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var rules = Path.Combine(_dir.Path, "reply-rules.json");
        await File.WriteAllTextAsync(rules, $$"""
            [ { "name": "sink-unusual-rate", "mxSuffixes": [ "throttle.test" ], "status": [ "4.7.28" ],
                "action": "ReduceRate", "maxMessageRate": {{ReducedRate}}, "duration": "00:00:04" } ]
            """);
        var config = Path.Combine(_dir.Path, "node.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": { "Hostname": "node.sluice.test" },
              "Delivery": {
                "MxPort": {{world.MxPort}},
                "PollInterval": "00:00:00.200",
                "ReplyRulesFile": "{{rules}}",
                "Retry": { "Intervals": [ "00:00:01" ], "Jitter": 0 },
                "Shaping": { "Default": { "MaxConnections": 4, "InitialConnections": 4 } }
              }
            }
            """);
        _node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "data"), ["--config", config, "--dns", world.Dns.Endpoint.ToString()], delivery: true);
        _http = _node.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task ProviderThrottlingReply_RateDropsToTheRulesThenRecoversAfterItsTime()
    {
        // Phase 1: a quarter of the messages get "451 4.7.28 … unusual rate".
        var throttled = Path.Combine(_dir.Path, "throttled");
        DateTimeOffset reducedAt;
        await using (var sink = await world.StartSinkAsync(throttled, "127.0.0.11", "--data-defer", "25", "--seed", "7", "--data-defer-reply", "451 4.7.28 Our system has detected an unusual rate of unsolicited mail (sink)"))
        {
            await SendAsync(30, "slow");
            var site = await Poll.ForAsync(SiteAsync, s => s is { } q && q.GetProperty("replyRule").ValueKind == JsonValueKind.Object, Patience, "the reply rule in force at mx.throttle.test");
            reducedAt = DateTimeOffset.UtcNow;
            Assert.Equal("sink-unusual-rate", site!.Value.GetProperty("replyRule").GetProperty("rule").GetString());
            Assert.Equal(ReducedRate, site.Value.GetProperty("shaping").GetProperty("maxMessageRate").GetDouble());
            await Poll.UntilAsync(() => Task.FromResult(Arrivals(throttled).Count == 30), Patience, "all 30 delivered through the throttling sink");
        }

        // While the rule held, the sink saw at most the rule's rate (one message of burst, a second of slack).
        var arrivals = Arrivals(throttled);
        var during = arrivals.Count(t => t > reducedAt.AddSeconds(1) && t <= reducedAt.AddSeconds(4));
        Assert.True(during <= (ReducedRate * 3) + 2, $"{during} messages arrived in the 3 s after the rule took hold");

        // Phase 2: the rule's time runs out once nothing throttles; then full speed again.
        await Poll.UntilAsync(async () => await SiteAsync() is not { } q || q.GetProperty("replyRule").ValueKind == JsonValueKind.Null, Patience, "the reply rule ended");
        var plain = Path.Combine(_dir.Path, "plain");
        await using (var sink = await world.StartSinkAsync(plain, "127.0.0.11"))
        {
            await SendAsync(20, "fast");
            await Poll.UntilAsync(() => Task.FromResult(Arrivals(plain).Count == 20), Patience, "all 20 delivered at full speed");
        }

        var fast = Arrivals(plain);
        var span = fast[^1] - fast[0];
        Assert.True(span < TimeSpan.FromSeconds(20 / ReducedRate / 2), $"20 messages took {span.TotalSeconds:0.0} s: the reduced rate would need {20 / ReducedRate:0} s");
    }

    private async Task SendAsync(int count, string prefix)
    {
        for (var i = 0; i < count; i++)
        {
            await NodeApi.SendAsync(_http, "news@shaping.example", $"{prefix}{i}@throttle.test", "s");
        }
    }

    private async Task<JsonElement?> SiteAsync()
    {
        var policy = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/delivery/policy", UriKind.Relative));
        foreach (var site in policy.GetProperty("sites").EnumerateArray())
        {
            if (site.GetProperty("site").GetString() == "mx.throttle.test")
            {
                return site;
            }
        }

        return null;
    }

    /// <summary>When each message reached the sink's store, in order.</summary>
    private static List<DateTimeOffset> Arrivals(string store)
    {
        var folder = Path.Combine(store, "new");
        return Directory.Exists(folder) ? [.. Directory.GetFiles(folder).Select(f => new DateTimeOffset(File.GetLastWriteTimeUtc(f))).Order()] : [];
    }
}
