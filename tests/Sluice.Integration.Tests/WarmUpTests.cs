using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// IP warm-up with real processes: a new egress source (127.0.0.20) on day 1 of a plan allowing 3
/// messages per provider, beside a warmed one (127.0.0.21). The sink sees exactly the allowance from
/// the new address and the rest from the warmed one; where only the new address may send, the rest
/// waits (held), failing nothing.
/// </summary>
public sealed class WarmUpTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private SluiceProcess _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var config = Path.Combine(_dir.Path, "node.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": { "Hostname": "node.sluice.test" },
              "Delivery": {
                "MxPort": {{world.MxPort}},
                "PollInterval": "00:00:00.200",
                "Routes": [ { "Domain": "fast.test", "EgressPool": "fresh-only" } ],
                "Egress": {
                  "Sources": [
                    { "Name": "fresh", "Address": "127.0.0.20", "EhloName": "fresh.sluice.test", "WarmUp": { "Start": "{{today}}", "Schedule": [ 3, 10, 50 ] } },
                    { "Name": "warm", "Address": "127.0.0.21", "EhloName": "warm.sluice.test" }
                  ],
                  "Pools": [
                    { "Name": "mixed", "Members": [ { "Source": "fresh", "Weight": 10 }, { "Source": "warm", "Weight": 1 } ] },
                    { "Name": "fresh-only", "Members": [ { "Source": "fresh", "Weight": 1 } ] }
                  ],
                  "DefaultPool": "mixed"
                }
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
    public async Task WarmingSource_DailyAllowanceRespectedAtTheSink_OverflowGoesToTheWarmedSourceOrWaits()
    {
        var token = Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 10; i++)
        {
            await SendAsync($"reader{i}@example.test", token);
        }

        await Poll.UntilAsync(() => Task.FromResult(Copies(world.StoreA, token).Count == 10), Patience, "10 messages at example.test's sink");
        var copies = Copies(world.StoreA, token);
        Assert.Equal(3, copies.Count(c => c.Contains("from fresh.sluice.test ([127.0.0.20])", StringComparison.Ordinal)));
        Assert.Equal(7, copies.Count(c => c.Contains("from warm.sluice.test ([127.0.0.21])", StringComparison.Ordinal)));

        // fast.test may only use the new address: its own provider allowance of 3 goes, the rest waits.
        var fastStore = Path.Combine(_dir.Path, "fast");
        await using var fast = await world.StartSinkAsync(fastStore, "127.0.0.12");
        for (var i = 0; i < 5; i++)
        {
            await SendAsync($"reader{i}@fast.test", token);
        }

        await Poll.UntilAsync(async () => Copies(fastStore, token).Count == 3 && await NodeApi.HeldAsync(_http) == 2, Patience, "3 delivered to fast.test and 2 held for tomorrow");
        Assert.All(Copies(fastStore, token), c => Assert.Contains("from fresh.sluice.test ([127.0.0.20])", c, StringComparison.Ordinal));

        var policy = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/delivery/policy", UriKind.Relative));
        var source = policy.GetProperty("warmUp").GetProperty("sources").EnumerateArray().Single();
        Assert.Equal((1, 3), (source.GetProperty("dayOfPlan").GetInt32(), source.GetProperty("allowance").GetInt32()));
        Assert.All(source.GetProperty("providers").EnumerateArray(), p => Assert.Equal(3, p.GetProperty("used").GetInt32()));
        Assert.Contains("sluice_delivery_held_total{reason=\"warmup\"} 2", await _http.GetStringAsync(new Uri("metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    private Task<string> SendAsync(string to, string token) => NodeApi.SendAsync(_http, "news@warmup.example", to, "warm-up " + token);

    private static List<string> Copies(string store, string token)
    {
        var folder = Path.Combine(store, "new");
        return Directory.Exists(folder) ? [.. Directory.GetFiles(folder).Select(File.ReadAllText).Where(t => t.Contains(token, StringComparison.Ordinal))] : [];
    }
}
