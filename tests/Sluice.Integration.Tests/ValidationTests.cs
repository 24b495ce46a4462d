using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>Recipient validation at submission, per API key: strict keys refuse domains that do not accept mail (real dnsmasq), lenient keys let delivery decide; verdicts are cached.</summary>
public sealed class ValidationTests : IAsyncLifetime
{
    private DnsmasqServer _dns = null!;
    private ApiWorld _world = null!;

    public async Task InitializeAsync()
    {
        _dns = DnsmasqServer.Start("test", 60, "--mx-host=ok.test,mx.ok.test,10", "--host-record=mx.ok.test,127.0.0.34", "--mx-host=nullmx.test,.,0");
        _world = await ApiWorld.StartAsync("127.0.0.34", null, "--dns", _dns.Endpoint.ToString());
    }

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        _dns.Dispose();
    }

    [Fact]
    public async Task StrictKey_RefusesNullMxAndMissingDomainsPerRecipientAndCachesTheVerdicts()
    {
        using var strict = await KeyAsync("strict");
        var before = _dns.QueryCount("nullmx.test");

        using var response = await strict.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "a@ok.test", "b@nullmx.test", "c@missing.test" }, text = "x" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, answer.GetProperty("recipients").GetInt32());
        var rejected = answer.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("address").GetString()!, r => r.GetProperty("code").GetString());
        Assert.Equal("5.1.10", rejected["b@nullmx.test"]);
        Assert.Equal("5.1.2", rejected["c@missing.test"]);

        using var again = await strict.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "d@nullmx.test" }, text = "x" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.True(_dns.QueryCount("nullmx.test") - before <= 1, "the second check came from the cache");
        var metrics = await _world.Http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("sluice_validation_cache_total{result=\"hit\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LenientKey_AcceptsEveryWellFormedRecipient()
    {
        using var lenient = await KeyAsync("lenient");

        using var response = await lenient.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "b@nullmx.test", "c@missing.test" }, text = "x" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("recipients").GetInt32());
    }

    private async Task<HttpClient> KeyAsync(string validation)
    {
        using var created = await _world.Http.PostAsJsonAsync(new Uri("api/v1/keys", UriKind.Relative), new { name = validation, scopes = new[] { "send" }, validation });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var client = new HttpClient { BaseAddress = _world.Node.HttpBase };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString());
        return client;
    }
}
