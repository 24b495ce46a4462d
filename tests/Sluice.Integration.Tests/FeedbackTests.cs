using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>
/// The inbound feedback loop on a Feedback listener: an ARF complaint and a DSN bounce about mail the
/// node delivered (returned with the headers it wrote) become events on the message, counts and
/// suppressions; the next send to those recipients is refused.
/// </summary>
public sealed class FeedbackTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();
    private SluiceProcess _node = null!;
    private HttpClient _http = null!;
    private int _feedbackPort;

    public async Task InitializeAsync()
    {
        var smtp = FreePort.Next(IPAddress.Loopback);
        var http = FreePort.Next(IPAddress.Loopback);
        _feedbackPort = FreePort.Next(IPAddress.Loopback);
        var config = Path.Combine(_dir.Path, "node.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Smtp": {
                "Hostname": "node.sluice.test",
                "Listeners": [
                  { "Address": "127.0.0.1:{{smtp}}", "Role": "Relay" },
                  { "Address": "127.0.0.1:{{_feedbackPort}}", "Role": "Feedback" }
                ]
              },
              "Delivery": { "MxPort": {{world.MxPort}}, "PollInterval": "00:00:00.200" },
              "Unsubscribe": { "MailtoDomain": "node.sluice.test" },
              "Feedback": { "ReturnPathDomain": "bounces.sluice.test" }
            }
            """);
        // The base URL in the environment, not the file: if the port is taken and the node starts on another, it follows.
        var environment = new Dictionary<string, string> { ["SLUICE__Unsubscribe__BaseUrl"] = $"http://127.0.0.1:{http}" };
        _node = await SluiceProcess.StartAsync(Path.Combine(_dir.Path, "data"), ["--config", config, "--dns", world.Dns.Endpoint.ToString()], environment, smtpPort: smtp, httpPort: http, delivery: true, listenersFromConfig: true);
        _http = _node.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _node.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task ArfComplaint_AboutDeliveredMail_SuppressedForThatSenderCountedAndInTheTimeline()
    {
        var token = Guid.NewGuid().ToString("N")[..10];
        var id = await SendAsync("news@fbl.example", $"complainer-{token}@example.test", token);
        var original = await DeliveredCopyAsync(id, token);

        var reply = await ReportAsync($"""
            From: <fbl@provider.test>
            To: <fbl@node.sluice.test>
            Subject: FW: {token}
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=feedback-report; boundary="arf"

            --arf
            Content-Type: text/plain

            This is an email abuse report for a message received from you.
            --arf
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            User-Agent: ProviderFBL/1.0
            Version: 1
            Original-Mail-From: <news@fbl.example>
            Original-Rcpt-To: <complainer-{token}@example.test>
            Reporting-MTA: dns; fbl.provider.test

            --arf
            Content-Type: message/rfc822

            {original}
            --arf--
            """);
        Assert.StartsWith("250", reply, StringComparison.Ordinal);

        var message = await Poll.ForAsync(() => MessageAsync(id), m => Types(m).Contains("complained"), Patience, "the complaint in the timeline");
        var complaint = message.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "complained");
        Assert.Equal($"complainer-{token}@example.test", complaint.GetProperty("recipient").GetString());
        Assert.Equal("abuse", complaint.GetProperty("reply").GetString());

        // Suppressed for fbl.example only: the same recipient from another sending domain still goes.
        var refused = await SendRawAsync("news@fbl.example", $"complainer-{token}@example.test");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var other = await SendRawAsync("someone@other.example", $"complainer-{token}@example.test");
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);

        var metrics = await _http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("sluice_feedback_complaints_total{feedback_type=\"abuse\",sender_domain=\"fbl.example\"} 1", metrics, StringComparison.Ordinal);
        var stats = await Poll.ForAsync(
            () => _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/stats?by=domain&interval=day", UriKind.Relative)),
            j => j.GetProperty("items").EnumerateArray().Any(r => r.GetProperty("senderDomain").GetString() == "fbl.example" && r.GetProperty("complained").GetInt64() == 1),
            Patience,
            "one complaint for fbl.example in the statistics");
        Assert.Equal(1, stats.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("senderDomain").GetString() == "fbl.example").GetProperty("delivered").GetInt64());
    }

    [Fact]
    public async Task DsnBounce_AfterDelivery_RecipientBouncedAndSuppressedForEveryone()
    {
        var token = Guid.NewGuid().ToString("N")[..10];
        var id = await SendAsync("news@dsn.example", $"gone-{token}@example.test", token);
        var original = await DeliveredCopyAsync(id, token);
        var headers = original[..original.IndexOf("\r\n\r\n", StringComparison.Ordinal)];

        var reply = await ReportAsync($"""
            From: Mail Delivery System <MAILER-DAEMON@mx.provider.test>
            To: <bounces@node.sluice.test>
            Subject: Undelivered Mail Returned to Sender
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

            --dsn
            Content-Type: text/plain

            Your message could not be delivered.
            --dsn
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.provider.test

            Final-Recipient: rfc822; gone-{token}@example.test
            Action: failed
            Status: 5.1.1
            Diagnostic-Code: smtp; 550 5.1.1 <gone-{token}@example.test>: Recipient address rejected: User unknown

            --dsn
            Content-Type: text/rfc822-headers

            {headers}
            --dsn--
            """);
        Assert.StartsWith("250", reply, StringComparison.Ordinal);

        var message = await Poll.ForAsync(() => MessageAsync(id), m => NodeApi.RecipientStatus(m) == "bounced", Patience, "the recipient bounced");
        Assert.Contains("5.1.1", message.GetProperty("recipients")[0].GetProperty("lastReply").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SendRawAsync("anyone@else.example", $"gone-{token}@example.test")).StatusCode);
        var metrics = await _http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("sluice_feedback_bounces_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("sender_domain=\"dsn.example\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneClickUnsubscribe_PostAsProvidersSendIt_SuppressedForThatSenderOnly()
    {
        using var receiver = await WebhookReceiver.StartAsync("whsec_feedback_0123456789");
        using (var created = await _http.PostAsJsonAsync(new Uri("api/v1/webhooks", UriKind.Relative), new { url = receiver.Url.ToString(), events = new[] { "unsubscribed", "complained" }, secret = "whsec_feedback_0123456789" }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var token = Guid.NewGuid().ToString("N")[..10];
        var id = await SendAsync("news@list.example", $"reader-{token}@example.test", token, unsubscribe: true);
        var delivered = await DeliveredCopyAsync(id, token);
        var headers = MimeKit.HeaderList.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(delivered)));
        Assert.Equal("List-Unsubscribe=One-Click", headers["List-Unsubscribe-Post"]);
        var listUnsubscribe = headers["List-Unsubscribe"] ?? throw new InvalidOperationException("no List-Unsubscribe header");
        var link = listUnsubscribe.Split(',')[0].Trim().Trim('<', '>');
        Assert.StartsWith(_node.HttpBase + "u/", link, StringComparison.Ordinal);
        Assert.Contains("<mailto:unsubscribe+", listUnsubscribe, StringComparison.Ordinal);

        // A link scanner's GET shows a button and changes nothing; a forged token is refused.
        using var anonymous = new HttpClient();
        Assert.Contains("<form method=\"post\"", await anonymous.GetStringAsync(new Uri(link)), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await SendRawAsync("news@list.example", $"reader-{token}@example.test")).StatusCode);
        using var forged = await anonymous.PostAsync(new Uri(link[..^4] + "0000"), OneClick());
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);

        // RFC 8058 §3.2: a POST with the body List-Unsubscribe=One-Click, no cookie, no key.
        using var posted = await anonymous.PostAsync(new Uri(link), OneClick());
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SendRawAsync("news@list.example", $"reader-{token}@example.test")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await SendRawAsync("shop@other.example", $"reader-{token}@example.test")).StatusCode);
        var message = await Poll.ForAsync(() => MessageAsync(id), m => Types(m).Contains("unsubscribed"), Patience, "the unsubscribe in the timeline");
        Assert.Equal("one_click", message.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "unsubscribed").GetProperty("reply").GetString());
        Assert.Contains("sluice_unsubscribes_total{method=\"one_click\",sender_domain=\"list.example\"} 1", await _http.GetStringAsync(new Uri("metrics", UriKind.Relative)), StringComparison.Ordinal);
        var hooked = await Poll.ForAsync(receiver.TakenEventsAsync, e => e.Any(x => x.GetProperty("messageId").GetString() == id), Patience, "the unsubscribed event at the webhook");
        var unsubscribed = hooked.Single(x => x.GetProperty("messageId").GetString() == id);
        Assert.Equal("unsubscribed", unsubscribed.GetProperty("type").GetString());
        Assert.Equal($"reader-{token}@example.test", unsubscribed.GetProperty("recipient").GetString());
    }

    [Fact]
    public async Task MailtoUnsubscribe_ToTheFeedbackListener_SuppressesTheRecipient()
    {
        var token = Guid.NewGuid().ToString("N")[..10];
        var id = await SendAsync("news@mailto.example", $"mailer-{token}@example.test", token, unsubscribe: true);
        var delivered = await DeliveredCopyAsync(id, token);
        var header = MimeKit.HeaderList.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(delivered)))["List-Unsubscribe"] ?? throw new InvalidOperationException("no List-Unsubscribe header");
        var mailto = header[(header.IndexOf("<mailto:", StringComparison.Ordinal) + 8)..header.LastIndexOf('>')];

        await using (var dialog = await SmtpDialog.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _feedbackPort)))
        {
            await dialog.CommandAsync("EHLO mail.example.test");
            await dialog.BeginDataAsync($"mailer-{token}@example.test", mailto.ToLowerInvariant());
            Assert.StartsWith("250", await dialog.CommandAsync("Subject: unsubscribe\r\n\r\nunsubscribe\r\n."), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SendRawAsync("news@mailto.example", $"mailer-{token}@example.test")).StatusCode);
    }

    [Fact]
    public async Task Unsubscribe_TwoRecipients_RefusedNamingTheField()
    {
        using var response = await _http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from = "a@list.example", to = new[] { "x@example.test", "y@example.test" }, subject = "s", text = "t", unsubscribe = true });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("exactly one recipient", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("unsubscribe")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QmailTextBounce_NotADsn_StillBouncesAndSuppressesTheRecipient()
    {
        var token = Guid.NewGuid().ToString("N")[..10];
        var id = await SendAsync("news@qmail.example", $"nobody-{token}@example.test", token);
        var original = await DeliveredCopyAsync(id, token);

        // qmail's plain-text bounce with the message copied below, no multipart/report at all.
        var reply = await ReportAsync($$"""
            From: MAILER-DAEMON@mx.qmail.test
            To: <bounces@node.sluice.test>
            Subject: failure notice

            Hi. This is the qmail-send program at mx.qmail.test.
            I'm afraid I wasn't able to deliver your message to the following addresses.

            <nobody-{{token}}@example.test>:
            Sorry, no mailbox here by that name. (#5.1.1)

            --- Below this line is a copy of the message.

            {{original}}
            """);
        Assert.StartsWith("250", reply, StringComparison.Ordinal);
        var message = await Poll.ForAsync(() => MessageAsync(id), m => NodeApi.RecipientStatus(m) == "bounced", Patience, "the recipient bounced by a text bounce");
        Assert.Contains("5.1.1", message.GetProperty("recipients")[0].GetProperty("lastReply").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await SendRawAsync("anyone@else.example", $"nobody-{token}@example.test")).StatusCode);
    }

    [Fact]
    public async Task VerpReturnPath_BounceWithoutOurHeaders_StillNamesTheMessage()
    {
        var token = Guid.NewGuid().ToString("N")[..10];
        var id = await SendAsync("news@verp.example", $"verp-{token}@example.test", token);
        var file = await DeliveredFileAsync(id, token);
        var envelope = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(world.StoreA, "envelopes", Path.GetFileNameWithoutExtension(file) + ".json"))).RootElement;
        var returnPath = envelope.GetProperty("sender").GetString()!;
        Assert.Matches("^bounces\\+[0-9A-Z]{26}\\.[0-9a-f]{20}@bounces\\.sluice\\.test$", returnPath);

        // A provider that returns no headers at all: only the address the bounce came to names the message.
        var reply = await ReportAsync($"""
            From: MAILER-DAEMON@mx.provider.test
            To: <{returnPath}>
            Subject: failure notice
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="v"

            --v
            Content-Type: text/plain

            Sorry.
            --v
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.provider.test

            Final-Recipient: rfc822; verp-{token}@example.test
            Action: failed
            Status: 5.1.1

            --v--
            """, returnPath);
        Assert.StartsWith("250", reply, StringComparison.Ordinal);

        await Poll.UntilAsync(async () => NodeApi.RecipientStatus(await MessageAsync(id)) == "bounced", Patience, "the recipient bounced through VERP");
    }

    [Fact]
    public async Task NotAReport_OnFeedbackListener_AcceptedCountedNotQueued()
    {
        var reply = await ReportAsync("From: <x@y.test>\r\nTo: <fbl@node.sluice.test>\r\nSubject: hello\r\n\r\njust a message");

        Assert.StartsWith("250", reply, StringComparison.Ordinal);
        var metrics = await _http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("sluice_feedback_reports_total{result=\"not_a_report\"} 1", metrics, StringComparison.Ordinal);
        var summary = await _http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/queue/summary", UriKind.Relative));
        Assert.Equal(0, summary.GetProperty("total").GetInt64());
    }

    private static List<string?> Types(JsonElement message) => [.. message.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString())];

    private async Task<JsonElement> MessageAsync(string id) => await _http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative));

    private static FormUrlEncodedContent OneClick() => new(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" });

    private async Task<string> SendAsync(string from, string to, string subject, bool unsubscribe = false)
    {
        using var response = await SendRawAsync(from, to, subject, unsubscribe);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private Task<HttpResponseMessage> SendRawAsync(string from, string to, string subject = "again", bool unsubscribe = false)
        => _http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from, to = new[] { to }, subject, text = "hello", unsubscribe });

    /// <summary>The message as the sink (the recipient's MX) stored it: what a provider would return.</summary>
    private async Task<string> DeliveredCopyAsync(string id, string token)
    {
        var text = await File.ReadAllTextAsync(await DeliveredFileAsync(id, token));
        Assert.Contains($"id {id}", text, StringComparison.Ordinal);
        return text;
    }

    private async Task<string> DeliveredFileAsync(string id, string token)
    {
        await Poll.UntilAsync(async () => NodeApi.RecipientStatus(await MessageAsync(id)) == "delivered", Patience, $"{id} delivered");
        return await DeliveryFixture.WaitForMessageAsync(world.StoreA, token);
    }

    /// <summary>Sends a report (LF or CRLF text) to the Feedback listener; returns the reply to its data.</summary>
    private async Task<string> ReportAsync(string report, string to = "fbl@node.sluice.test")
    {
        var crlf = report.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        var stuffed = string.Join("\r\n", crlf.Split("\r\n").Select(l => l.StartsWith('.') ? "." + l : l));
        await using var dialog = await SmtpDialog.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _feedbackPort));
        await dialog.CommandAsync("EHLO provider.test");
        await dialog.BeginDataAsync(string.Empty, to);
        return await dialog.CommandAsync(stuffed + "\r\n.");
    }
}
