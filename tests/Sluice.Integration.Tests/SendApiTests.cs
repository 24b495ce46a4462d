using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MimeKit;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>The sending API against a running node that delivers to a `sluice sink`: real HTTP, real spool, real delivery.</summary>
public sealed class SendApiTests : IAsyncLifetime
{
    private ApiWorld _world = null!;

    private HttpClient Http => _world.Http;

    private SluiceProcess Node => _world.Node;

    private string Store => _world.Store;

    public async Task InitializeAsync()
        => _world = await ApiWorld.StartAsync("127.0.0.31", new Dictionary<string, string> { ["SLUICE__Http__MaxMessageSize"] = "200000", ["SLUICE__Smtp__Hostname"] = "api.sluice.test" });

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>
    /// An attachment as JSON encoders write it (slashes escaped, a line break every 76 characters)
    /// is streamed out of the spooled request and arrives byte for byte.
    /// </summary>
    [Fact]
    public async Task Post_EscapedLineBrokenAttachment_ArrivesByteForByte()
    {
        var token = Guid.NewGuid().ToString("N");
        var data = new byte[120_000];
        new Random(7).NextBytes(data);
        var base64 = Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks).Replace("\r\n", "\\n", StringComparison.Ordinal).Replace("/", "\\/", StringComparison.Ordinal);
        var json = $$$"""{"from":"shop@src.example","to":["ann@dest.example"],"subject":"{{{token}}}","text":"see attached","attachments":[{"filename":"data.bin","content":"{{{base64}}}"}],"metadata":{"content":"kept"}}""";

        using var response = await Http.PostAsync(new Uri("api/v1/messages", UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var file = await DeliveryFixture.WaitForMessageAsync(Store, token);
        var message = await MimeMessage.LoadAsync(file);
        var part = message.Attachments.OfType<MimePart>().Single();
        Assert.Equal("data.bin", part.FileName);
        Assert.Equal("application/octet-stream", part.ContentType.MimeType);
        using var decoded = new MemoryStream();
        await part.Content!.DecodeToAsync(decoded);
        Assert.Equal(data, decoded.ToArray());
    }

    [Fact]
    public async Task Post_JsonMessage_Is202AfterSpoolAndArrivesBuiltByMimeKit()
    {
        var token = Guid.NewGuid().ToString("N");
        var attachment = Encoding.UTF8.GetBytes("col1,col2\r\n1,2\r\n");

        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new
        {
            from = "Shop <shop@src.example>",
            to = new[] { "Ann <ann@dest.example>" },
            bcc = new[] { "audit@dest.example" },
            replyTo = "help@src.example",
            subject = $"Order {token}",
            text = "Thanks for your order.",
            html = "<p>Thanks for your <b>order</b>.</p>",
            attachments = new[] { new { filename = "order.csv", contentType = "text/csv", content = Convert.ToBase64String(attachment) } },
            headers = new Dictionary<string, string> { ["X-Campaign"] = "autumn" },
            tags = new[] { "orders" },
            metadata = new Dictionary<string, string> { ["orderId"] = "42" },
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal(2, accepted.GetProperty("recipients").GetInt32());

        var file = await DeliveryFixture.WaitForMessageAsync(Store, token);
        var message = await MimeMessage.LoadAsync(file);
        Assert.Equal($"Order {token}", message.Subject);
        Assert.Equal("shop@src.example", message.From.Mailboxes.Single().Address);
        Assert.Equal("Ann", message.To.Mailboxes.Single().Name);
        Assert.Empty(message.Bcc);
        Assert.DoesNotContain("audit@dest.example", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        Assert.Equal($"{id}@api.sluice.test", message.MessageId);
        Assert.Equal("autumn", message.Headers["X-Campaign"]);
        Assert.Contains(message.Headers, h => h.Field == "Received" && string.Join(" ", h.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Contains("with HTTP id " + id, StringComparison.Ordinal));
        Assert.Equal("Thanks for your order.", message.TextBody?.Trim());
        Assert.Contains("<b>order</b>", message.HtmlBody ?? string.Empty, StringComparison.Ordinal);
        var csv = message.Attachments.OfType<MimePart>().Single();
        Assert.Equal("order.csv", csv.FileName);
        using var decoded = new MemoryStream();
        await csv.Content!.DecodeToAsync(decoded);
        Assert.Equal(attachment, decoded.ToArray());

        // Both recipients were in the envelope the sink received, bcc included.
        var envelope = await File.ReadAllTextAsync(Path.Combine(Store, "envelopes", Path.GetFileNameWithoutExtension(file) + ".json"));
        Assert.Contains("audit@dest.example", envelope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_Message_ShowsStateRecipientsAndTimeline()
    {
        var id = await PostAsync(new { from = "a@src.example", to = new[] { "b@dest.example" }, subject = "timeline", text = "x", tags = new[] { "t1" } });

        JsonElement view;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            view = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"api/v1/messages/{id}", UriKind.Relative))).RootElement;
            await Task.Delay(100);
        }
        while (view.GetProperty("state").GetString() != "done" && DateTime.UtcNow < deadline);

        Assert.Equal("done", view.GetProperty("state").GetString());
        var recipient = view.GetProperty("recipients").EnumerateArray().Single();
        Assert.Equal("b@dest.example", recipient.GetProperty("address").GetString());
        Assert.Equal("delivered", recipient.GetProperty("status").GetString());
        var types = view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["received", "delivered"], types);

        using var missing = await Http.GetAsync(new Uri("api/v1/messages/01ZZZZZZZZZZZZZZZZZZZZZZZZ", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Post_InvalidFields_Is400ProblemNamingEachField()
    {
        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new
        {
            from = "not an address",
            to = new[] { "ok@dest.example", "bad@@dest" },
            headers = new Dictionary<string, string> { ["From"] = "spoof@x.example", ["Bad Name"] = "x" },
            attachments = new[] { new { filename = "a.bin", content = "%%%" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in new[] { "from", "to[1]", "text", "headers.From", "headers.Bad Name", "attachments[0].content" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
    }

    [Theory]
    [InlineData("""{ "from": "a@src.example", "to": [ "b@dest.example" ], "subjet": "typo", "text": "x" }""", "subjet: unknown field (did you mean 'subject'?)")]
    [InlineData("""{ "from": "a@src.example", "to": "b@dest.example", "subject": "s", "text": "x" }""", "to: expected a list of strings")]
    [InlineData("""{ "from": "a@src.example", "to": [ "b@dest.example" ], "text": "x", "attachments": [ { "filename": "a", "content": "AA==", "inline": "yes" } ] }""", "unknown field")]
    public async Task Post_FieldTheRequestDoesNotTake_Is400NamingItInsteadOfIgnoringIt(string body, string detail)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await Http.PostAsync(new Uri("api/v1/messages", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostTemplate_UnknownField_Is400NamingIt()
    {
        using var content = new StringContent("""{ "name": "t", "subjetc": "Hi", "text": "x" }""", Encoding.UTF8, "application/json");

        using var response = await Http.PostAsync(new Uri("api/v1/templates", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("subjetc: unknown field (did you mean 'subject'?)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"from\": ", "application/json", HttpStatusCode.BadRequest, "Invalid JSON")]
    [InlineData("hello", "text/plain", HttpStatusCode.UnsupportedMediaType, "415")]
    public async Task Post_BadBody_IsProblem(string body, string contentType, HttpStatusCode status, string title)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);

        using var response = await Http.PostAsync(new Uri("api/v1/messages", UriKind.Relative), content);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(title, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A raw submission is queued and delivered as it came: only a trace line goes before it. MimeKit
    /// would have rewritten this one (odd folding, lower-case header names, no space after a colon,
    /// a multipart preamble and epilogue, a header it does not know).
    /// </summary>
    [Fact]
    public async Task Post_RawMessage_IsDeliveredByteIdentical()
    {
        var token = Guid.NewGuid().ToString("N");
        var original = Encoding.ASCII.GetBytes(
            "from:  Odd   Sender <odd@src.example>\r\n" +
            "To: b@dest.example\r\n" +
            $"Subject:{token}\r\n" +
            "Message-ID: <raw-" + token + "@src.example>\r\n" +
            "X-Custom:\tvalue   with  spaces\r\n" +
            "\tfolded on a tab\r\n" +
            "MIME-Version: 1.0\r\n" +
            "Content-Type: multipart/alternative;\r\n boundary=\"b\"\r\n" +
            "\r\n" +
            "a preamble nobody reads\r\n" +
            "--b\r\n" +
            "Content-Type: text/plain; charset=us-ascii\r\n" +
            "\r\n" +
            "line one   \r\n" +
            "--b--\r\n" +
            "an epilogue\r\n");
        using var content = new ByteArrayContent(original);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");

        using var response = await Http.PostAsync(new Uri("api/v1/messages?from=odd@src.example&to=b@dest.example", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var delivered = await File.ReadAllBytesAsync(await DeliveryFixture.WaitForMessageAsync(Store, token));
        Assert.True(delivered.AsSpan().EndsWith(original), "the delivered message does not end with the submitted bytes");
        var added = Encoding.ASCII.GetString(delivered, 0, delivered.Length - original.Length);
        Assert.Contains("with HTTP id ", added, StringComparison.Ordinal);
        Assert.DoesNotContain("Message-ID", added, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Post_OverSize_Is413AndQueuesNothing()
    {
        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new
        {
            from = "a@src.example",
            to = new[] { "b@dest.example" },
            text = new string('x', 300_000),
        });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 200000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_RawMessage_IsQueuedAsItIsWithTheQueryEnvelope()
    {
        var token = Guid.NewGuid().ToString("N");
        var raw = $"From: raw@src.example\r\nTo: someone@dest.example\r\nSubject: raw {token}\r\n\r\nraw body line\n";
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(raw));
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");

        using var response = await Http.PostAsync(new Uri("api/v1/messages?from=bounces@src.example&to=x@dest.example,y@dest.example", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var file = await DeliveryFixture.WaitForMessageAsync(Store, token);
        Assert.Contains("raw body line\r\n", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        var envelope = await File.ReadAllTextAsync(Path.Combine(Store, "envelopes", Path.GetFileNameWithoutExtension(file) + ".json"));
        Assert.Contains("bounces@src.example", envelope, StringComparison.Ordinal);
        Assert.Contains("y@dest.example", envelope, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_SameIdempotencyKeyConcurrently_QueuesOnceAndReplaysTheAnswer()
    {
        var token = Guid.NewGuid().ToString("N");
        var body = new { from = "a@src.example", to = new[] { "b@dest.example" }, subject = $"once {token}", text = "x" };
        var key = "order-" + token;

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/v1/messages", UriKind.Relative)) { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await Http.SendAsync(request);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })));

        var accepted = responses.Where(r => r.StatusCode == HttpStatusCode.Accepted).Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("id").GetString()).ToList();
        Assert.NotEmpty(accepted);
        Assert.Single(accepted.Distinct());
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, r.ToString()));

        using var retry = new HttpRequestMessage(HttpMethod.Post, new Uri("api/v1/messages", UriKind.Relative)) { Content = JsonContent.Create(body) };
        retry.Headers.Add("Idempotency-Key", key);
        using var replayed = await Http.SendAsync(retry);
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(accepted[0], JsonDocument.Parse(await replayed.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());

        using var other = new HttpRequestMessage(HttpMethod.Post, new Uri("api/v1/messages", UriKind.Relative))
        {
            Content = JsonContent.Create(new { from = "a@src.example", to = new[] { "c@dest.example" }, text = "different" }),
        };
        other.Headers.Add("Idempotency-Key", key);
        using var conflict = await Http.SendAsync(other);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, conflict.StatusCode);

        await DeliveryFixture.WaitForMessageAsync(Store, $"once {token}");

        // Once the node's queue is empty, everything it took has reached the sink: one copy.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (JsonDocument.Parse(await Http.GetStringAsync(new Uri("api/v1/queue/summary", UriKind.Relative))).RootElement.GetProperty("total").GetInt64() > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the queue did not drain");
            await Task.Delay(50);
        }

        Assert.Single(Directory.GetFiles(Path.Combine(Store, "new")), f => File.ReadAllText(f).Contains($"once {token}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_WithReadOnlyKey_Is403()
    {
        using var created = await Http.PostAsJsonAsync(new Uri("api/v1/keys", UriKind.Relative), new { name = "reader", scopes = new[] { "read" } });
        var token = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();
        using var reader = new HttpClient { BaseAddress = Node.HttpBase };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await reader.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@src.example", to = new[] { "b@dest.example" }, text = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<string> PostAsync(object body)
    {
        using var response = await Http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }
}
