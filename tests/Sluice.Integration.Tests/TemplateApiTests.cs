using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>Stored, versioned Liquid templates, previews, sending with a template, and 1,000-recipient batches checked at the sink.</summary>
public sealed class TemplateApiTests : IAsyncLifetime
{
    private ApiWorld _world = null!;

    private HttpClient Http => _world.Http;

    public async Task InitializeAsync() => _world = await ApiWorld.StartAsync("127.0.0.33");

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Templates_CreateVersionPreviewDelete_WorkAndKeepOldVersions()
    {
        var id = await CreateAsync(new { name = "welcome", subject = "Welcome {{ name }}", html = "<h1>Hi {{ name }}</h1>", text = "Hi {{ name }}" });

        using (var v2 = await Http.PutAsJsonAsync(new Uri($"api/v1/templates/{id}", UriKind.Relative), new { subject = "Welcome back {{ name }}", text = "Hello again {{ name }}" }))
        {
            Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
            Assert.Equal(2, JsonDocument.Parse(await v2.Content.ReadAsStringAsync()).RootElement.GetProperty("version").GetInt32());
        }

        var v1 = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"api/v1/templates/{id}?version=1", UriKind.Relative))).RootElement;
        Assert.Equal("Welcome {{ name }}", v1.GetProperty("subject").GetString());
        var list = JsonDocument.Parse(await Http.GetStringAsync(new Uri("api/v1/templates", UriKind.Relative))).RootElement;
        Assert.Contains(list.EnumerateArray(), t => t.GetProperty("id").GetString() == id && t.GetProperty("version").GetInt32() == 2);

        using var preview = await Http.PostAsJsonAsync(new Uri($"api/v1/templates/{id}/preview", UriKind.Relative), new { variables = new { name = "Ann <3" }, version = 1 });
        var rendered = JsonDocument.Parse(await preview.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Welcome Ann <3", rendered.GetProperty("subject").GetString());
        Assert.Equal("<h1>Hi Ann &lt;3</h1>", rendered.GetProperty("html").GetString());

        using var deleted = await Http.DeleteAsync(new Uri($"api/v1/templates/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using var gone = await Http.GetAsync(new Uri($"api/v1/templates/{id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var sendDeleted = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "b@dest.example" }, template = new { id } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, sendDeleted.StatusCode);
        Assert.Contains("Unknown template", await sendDeleted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Template_SyntaxError_Is422WithPartAndLine()
    {
        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/templates", UriKind.Relative), new { name = "broken", text = "line one\n{% if customer %}never closed" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("text", problem.GetProperty("part").GetString());
        Assert.True(problem.GetProperty("line").GetInt32() >= 1);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("reason").GetString()));

        using var inline = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "b@dest.example" }, template = new { html = "{{ unclosed" } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, inline.StatusCode);
    }

    [Fact]
    public async Task Send_WithTemplate_QueuedMessageKeepsItsVersionWhenANewOneIsSaved()
    {
        var id = await CreateAsync(new { name = "receipt", subject = "Receipt {{ order }}", text = "v1 for {{ order }}" });
        using (var suspend = await Http.PostAsJsonAsync(new Uri("api/v1/queue/suspensions", UriKind.Relative), new { destination = "held.example", minutes = 10 }))
        {
            Assert.True(suspend.IsSuccessStatusCode);
        }

        var token = Guid.NewGuid().ToString("N");
        string messageId;
        using (var sent = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "b@held.example" }, template = new { id }, variables = new { order = token } }))
        {
            Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
            messageId = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        }

        await _world.WaitHeldAsync(messageId);
        using (var v2 = await Http.PutAsJsonAsync(new Uri($"api/v1/templates/{id}", UriKind.Relative), new { subject = "Receipt {{ order }}", text = "v2 for {{ order }}" }))
        {
            Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        }

        using (var resume = await Http.DeleteAsync(new Uri("api/v1/queue/suspensions/held.example", UriKind.Relative)))
        {
            Assert.True(resume.IsSuccessStatusCode);
        }

        await Http.PostAsJsonAsync(new Uri("api/v1/queue/flush", UriKind.Relative), new { all = true });
        var file = await DeliveryFixture.WaitForMessageAsync(_world.Store, token);
        var message = await MimeMessage.LoadAsync(file);
        Assert.Equal($"Receipt {token}", message.Subject);
        Assert.Equal($"v1 for {token}", message.TextBody?.Trim());
    }

    [Fact]
    public async Task Batch_ThousandRecipients_EachGetsItsOwnContentAtTheSink()
    {
        var id = await CreateAsync(new { name = "digest", subject = "Digest for {{ name }}", text = "Hello {{ name }}, your code is {{ code }}." });
        var run = Guid.NewGuid().ToString("N")[..8];
        var recipients = Enumerable.Range(0, 1000).Select(i => new { to = $"user{i}-{run}@batch.example", variables = new { name = $"User {i}", code = $"{run}-{i * 7}" } }).ToArray();
        var parsesBefore = await MetricAsync("sluice_template_parses_total");

        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/batches", UriKind.Relative), new { from = "news@src.example", template = new { id }, recipients });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1000, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(parsesBefore, await MetricAsync("sluice_template_parses_total")); // rendered from the cache: no parse at all

        var byRecipient = new Dictionary<string, string>();
        foreach (var file in await SinkFilesAsync(run, 1000, TimeSpan.FromSeconds(90)))
        {
            var envelope = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_world.Store, "envelopes", Path.GetFileNameWithoutExtension(file) + ".json"))).RootElement;
            byRecipient[envelope.GetProperty("recipients")[0].GetProperty("address").GetString()!] = await File.ReadAllTextAsync(file);
        }

        Assert.Equal(1000, byRecipient.Count);
        for (var i = 0; i < 1000; i++)
        {
            var text = byRecipient[$"user{i}-{run}@batch.example"];
            Assert.Contains($"Subject: Digest for User {i}\r\n", text, StringComparison.Ordinal);
            Assert.Contains($"Hello User {i}, your code is {run}-{i * 7}.", text, StringComparison.Ordinal);
        }
    }

    /// <summary>A batch's attachment is checked once and streamed into every message; each arrives with the same bytes.</summary>
    [Fact]
    public async Task Batch_SharedAttachment_EveryMessageCarriesItByteForByte()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var data = new byte[50_000];
        new Random(11).NextBytes(data);
        var recipients = Enumerable.Range(0, 50).Select(i => new { to = $"att{i}-{run}@batch.example", variables = new { n = i } }).ToArray();

        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/batches", UriKind.Relative), new
        {
            from = "news@src.example",
            template = new { subject = $"Report {run} {{{{ n }}}}", text = "Attached." },
            recipients,
            attachments = new[] { new { filename = "report.bin", content = Convert.ToBase64String(data) } },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(50, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("accepted").GetInt32());
        var files = await SinkFilesAsync($"Report {run} ", 50, TimeSpan.FromSeconds(60));
        foreach (var file in files)
        {
            var part = (await MimeKit.MimeMessage.LoadAsync(file)).Attachments.OfType<MimeKit.MimePart>().Single();
            using var decoded = new MemoryStream();
            await part.Content!.DecodeToAsync(decoded);
            Assert.Equal(data, decoded.ToArray());
        }
    }

    [Fact]
    public async Task Batch_BadRecipientAndSuppressedRecipient_AreReportedOneByOne()
    {
        using (var suppress = await Http.PostAsJsonAsync(new Uri("api/v1/suppressions", UriKind.Relative), new { address = "blocked@batch.example" }))
        {
            Assert.Equal(HttpStatusCode.Created, suppress.StatusCode);
        }

        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/batches", UriKind.Relative), new
        {
            from = "news@src.example",
            template = new { subject = "Hi {{ n }}", text = "x" },
            recipients = new object[] { new { to = "ok@batch.example", variables = new { n = 1 } }, new { to = "not an address", variables = new { n = 2 } }, new { to = "blocked@batch.example" } },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("results");
        Assert.Equal(["queued", "invalid", "rejected"], results.EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        Assert.Contains("to[0]", results[1].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_TooManyRecipients_Is400()
    {
        var recipients = Enumerable.Range(0, 1001).Select(i => new { to = $"u{i}@batch.example" }).ToArray();

        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/batches", UriKind.Relative), new { from = "a@src.example", template = new { text = "x" }, recipients });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    private async Task<string> CreateAsync(object template)
    {
        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/templates", UriKind.Relative), template);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<double> MetricAsync(string name)
    {
        var metrics = await Http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The messages at the sink whose text contains <paramref name="marker"/>, once there are <paramref name="count"/> of them.</summary>
    private async Task<List<string>> SinkFilesAsync(string marker, int count, TimeSpan timeout)
    {
        var folder = Path.Combine(_world.Store, "new");
        return await Poll.ForAsync(
            async () =>
            {
                var found = new List<string>();
                foreach (var file in Directory.Exists(folder) ? Directory.GetFiles(folder) : [])
                {
                    if ((await File.ReadAllTextAsync(file)).Contains(marker, StringComparison.Ordinal))
                    {
                        found.Add(file);
                    }
                }

                return found;
            },
            found => found.Count >= count,
            timeout,
            $"{count} messages containing '{marker}' at the sink");
    }
}
