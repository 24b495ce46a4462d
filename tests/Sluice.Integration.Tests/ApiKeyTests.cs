using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>Every API endpoint needs a key with the right scope; health does not; keys are created, rate-limited and revoked.</summary>
public sealed class ApiKeyTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task Api_WithoutKey_Is401ProblemButHealthAndLoopbackMetricsAreOpen()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Node.HttpBase };

        using var summary = await anonymous.GetAsync(new Uri("api/v1/queue/summary", UriKind.Relative));
        using var metrics = await anonymous.GetAsync(new Uri("metrics", UriKind.Relative));
        using var health = await anonymous.GetAsync(new Uri("healthz", UriKind.Relative));
        using var ready = await anonymous.GetAsync(new Uri("readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, summary.StatusCode);
        Assert.Equal("application/problem+json", summary.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", summary.Headers.WwwAuthenticate.Single().Scheme);
        // Http:MetricsNetworks defaults to loopback: a Prometheus beside the node needs no secret.
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Metrics_ClientOutsideMetricsNetworks_NeedsAKey()
    {
        using var dir = new TempDirectory();
        var config = Path.Combine(dir.Path, "sluice.json");
        await File.WriteAllTextAsync(config, """{ "Http": { "MetricsNetworks": [ "10.255.0.0/16" ] } }""");
        await using var node = await SluiceProcess.StartAsync(Path.Combine(dir.Path, "data"), ["--config", config]);
        using var anonymous = new HttpClient { BaseAddress = node.HttpBase };
        using var keyed = node.CreateHttpClient();

        using var refused = await anonymous.GetAsync(new Uri("metrics", UriKind.Relative));
        var text = await keyed.GetStringAsync(new Uri("metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("sluice_messages_accepted_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheSendingApiWithoutAKey()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Node.HttpBase };

        var document = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri("openapi/v1.json", UriKind.Relative))).RootElement;

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/messages", "/api/v1/batches", "/api/v1/templates", "/api/v1/suppressions", "/api/v1/keys", "/api/v1/queue/summary" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is not in the document");
        }
    }

    [Fact]
    public async Task AdminKey_FileIsOwnerOnlyAndNeverLogged()
    {
        var file = Path.Combine(fixture.Node.DataDirectory, "admin.key");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.StartsWith("sk_", fixture.Node.ApiKey, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Node.ApiKey!, fixture.Node.Output, StringComparison.Ordinal);
        Assert.Contains("created an admin key in", fixture.Node.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadKey_FromCli_ReadsButCannotOperateAndStopsWorkingWhenRevoked()
    {
        var api = fixture.Node.HttpBase.ToString();
        var (code, token, stderr) = await SluiceProcess.RunAsync(["keys", "create", "--name", "dashboard", "--scope", "read", "--api", api, "--key", fixture.Node.ApiKey!]);
        Assert.Equal(0, code);
        token = token.Trim();
        Assert.StartsWith("sk_", token, StringComparison.Ordinal);
        Assert.Contains("not shown again", stderr, StringComparison.Ordinal);

        using var reader = new HttpClient { BaseAddress = fixture.Node.HttpBase };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var read = await reader.GetAsync(new Uri("api/v1/queue/summary", UriKind.Relative));
        using var operate = await reader.PostAsJsonAsync(new Uri("api/v1/queue/flush", UriKind.Relative), new { all = true });
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, operate.StatusCode);
        Assert.Contains("'admin' scope", await operate.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (listCode, list, _) = await SluiceProcess.RunAsync(["keys", "list", "--api", api, "--key", fixture.Node.ApiKey!]);
        Assert.Equal(0, listCode);
        Assert.Contains("dashboard", list, StringComparison.Ordinal);
        Assert.DoesNotContain(token, list, StringComparison.Ordinal);

        var id = token.Split('_')[1];
        var (revokeCode, _, _) = await SluiceProcess.RunAsync(["keys", "revoke", id, "--api", api, "--key", fixture.Node.ApiKey!]);
        Assert.Equal(0, revokeCode);
        using var afterRevoke = await reader.GetAsync(new Uri("api/v1/queue/summary", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task Key_OverItsRate_Gets429ProblemWithRetryAfter()
    {
        using var admin = fixture.Node.CreateHttpClient();
        using var created = await admin.PostAsJsonAsync(new Uri("api/v1/keys", UriKind.Relative), new { name = "slow", scopes = new[] { "read" }, requestsPerSecond = 2 });
        var token = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        using var slow = new HttpClient { BaseAddress = fixture.Node.HttpBase };
        slow.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 10; i++)
        {
            statuses.Add(await slow.GetAsync(new Uri("api/v1/queue/summary", UriKind.Relative)));
        }

        var limited = statuses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", limited.Headers.GetValues("Retry-After").Single());
        Assert.InRange(statuses.Count(r => r.StatusCode == HttpStatusCode.OK), 4, 6); // a burst of twice the rate
        statuses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task CreateKey_UnknownScope_Is400Problem()
    {
        using var admin = fixture.Node.CreateHttpClient();

        using var response = await admin.PostAsJsonAsync(new Uri("api/v1/keys", UriKind.Relative), new { name = "x", scopes = new[] { "root" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown scope 'root'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
