using System.Text.Json;
using MimeKit;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>The node delivers what it accepts: MX order and fallback, bounces, retries, relay host — all on loopback.</summary>
public sealed class DeliveryTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>
{
    [Fact]
    public async Task Deliver_ToMx_PreferredExchangerGetsExactMessageAndQueueEmpties()
    {
        var token = Guid.NewGuid().ToString("N");
        var id = await SendAsync("sender@src.test", ["rcpt@example.test"], token);

        var file = await DeliveryFixture.WaitForMessageAsync(world.StoreA, token);

        var text = await File.ReadAllTextAsync(file);
        Assert.Contains($"with ESMTP id {id}", text, StringComparison.Ordinal);
        Assert.Contains("by sink.sluice.test", text, StringComparison.Ordinal);
        await WaitForQueueWithoutAsync(id);
        await WaitForEventAsync(id, "delivered");
        var events = await EventsAsync(id);
        Assert.Equal("received", events[0].Type);
        Assert.Contains(events, e => e.Type == "delivered" && e.RemoteMta == "mx1.example.test");
    }

    [Fact]
    public async Task Deliver_FirstExchangerDown_FallsBackToNextPreference()
    {
        var token = Guid.NewGuid().ToString("N");
        var id = await SendAsync("sender@src.test", ["rcpt@down.test"], token);

        await DeliveryFixture.WaitForMessageAsync(world.StoreB, token);

        await WaitForQueueWithoutAsync(id);
    }

    [Fact]
    public async Task Deliver_NullMxRecipient_SplitsMessageAndBouncesWithParseableDsn()
    {
        var token = Guid.NewGuid().ToString("N");
        var id = await SendAsync("author@example.test", ["good@example.test", "gone@nullmx.test"], token);

        var delivered = await DeliveryFixture.WaitForMessageAsync(world.StoreA, "Subject: " + token);
        var bounce = await DeliveryFixture.WaitForMessageAsync(world.StoreA, id + ".dsn");

        var deliveredEnvelope = await EnvelopeAsync(world.StoreA, delivered);
        Assert.Equal(["good@example.test"], deliveredEnvelope.GetProperty("recipients").EnumerateArray().Select(r => r.GetProperty("address").GetString()));
        var bounceEnvelope = await EnvelopeAsync(world.StoreA, bounce);
        Assert.Equal(string.Empty, bounceEnvelope.GetProperty("sender").GetString());
        Assert.Equal("author@example.test", bounceEnvelope.GetProperty("recipients")[0].GetProperty("address").GetString());

        var dsn = await MimeMessage.LoadAsync(bounce);
        var report = Assert.IsType<MultipartReport>(dsn.Body);
        Assert.Equal("delivery-status", report.ReportType);
        var status = report.OfType<MessageDeliveryStatus>().Single();
        var recipient = status.StatusGroups[1];
        Assert.Equal("rfc822; gone@nullmx.test", recipient["Final-Recipient"]);
        Assert.Equal("failed", recipient["Action"]);
        Assert.Equal("5.1.10", recipient["Status"]);
        Assert.Equal("auto-replied", dsn.Headers["Auto-Submitted"]);
        var original = report.Single(p => p.ContentType.MimeType == "text/rfc822-headers");
        Assert.Contains(token, original.ToString(), StringComparison.Ordinal);
        await WaitForQueueWithoutAsync(id);
    }

    [Fact]
    public async Task Deliver_ExchangerDownAtFirst_IsRetriedAndDeliveredWhenItComesUp()
    {
        var token = Guid.NewGuid().ToString("N");
        using var store = new TempDirectory();
        var id = await SendAsync("sender@src.test", ["late@later.test"], token);

        await WaitForEventAsync(id, "deferred");
        await using var late = await world.StartSinkAsync(store.Path, "127.0.0.5");

        try
        {
            await DeliveryFixture.WaitForMessageAsync(store.Path, token);
        }
        catch (TimeoutException)
        {
            Assert.Fail(string.Join('\n', (await EventsAsync(id)).Select(e => e.ToString())) + "\n" + world.Node.Output);
        }

        await WaitForQueueWithoutAsync(id);
        await WaitForEventAsync(id, "delivered");
        var events = await EventsAsync(id);
        Assert.Contains(events, e => e.Type == "delivered" && e.Attempt >= 2);
    }

    [Fact]
    public async Task Deliver_NeverReachable_ExpiresAndBouncesWith547()
    {
        using var data = new TempDirectory();
        await using var node = await world.StartNodeAsync(data.Path, TimeSpan.FromSeconds(3));
        var token = Guid.NewGuid().ToString("N");

        var id = await SendAsync("author@example.test", ["nobody@never.test"], token, node);

        var bounce = await DeliveryFixture.WaitForMessageAsync(world.StoreA, id + ".dsn");
        var status = Assert.IsType<MultipartReport>((await MimeMessage.LoadAsync(bounce)).Body).OfType<MessageDeliveryStatus>().Single();
        Assert.Equal("5.4.7", status.StatusGroups[1]["Status"]);
        Assert.Contains("Delivery time expired", status.StatusGroups[1]["Diagnostic-Code"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliver_WithRelayHost_SendsEverythingToTheSmarthost()
    {
        using var data = new TempDirectory();
        await using var node = await world.StartNodeAsync(data.Path, null, null, "--relay-host", $"127.0.0.3:{world.MxPort}");
        var token = Guid.NewGuid().ToString("N");

        await SendAsync("sender@src.test", ["someone@anywhere.example"], token, node);

        var file = await DeliveryFixture.WaitForMessageAsync(world.StoreB, token);
        Assert.Equal("someone@anywhere.example", (await EnvelopeAsync(world.StoreB, file)).GetProperty("recipients")[0].GetProperty("address").GetString());
    }

    [Fact]
    public async Task Restart_DeferredMessage_IsDeliveredAtItsDueTimeAndOnlyOnce()
    {
        using var data = new TempDirectory();
        using var store = new TempDirectory();
        var node = await world.StartNodeAsync(data.Path, null, TimeSpan.FromSeconds(4));
        var token = Guid.NewGuid().ToString("N");
        string id;
        try
        {
            id = await SendAsync("sender@src.test", ["r@restart.test"], token, node);
            await WaitForEventAsync(id, "deferred", data.Path);
            Assert.Equal(0, await node.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await node.DisposeAsync();
        }

        var deferred = (await EventsAsync(id, data.Path)).Single(e => e.Type == "deferred");
        var dueAt = deferred.Time.AddSeconds(4);
        await using var sink = await world.StartSinkAsync(store.Path, "127.0.0.7");
        await using var restarted = await world.StartNodeAsync(data.Path, null, TimeSpan.FromSeconds(4));

        await DeliveryFixture.WaitForMessageAsync(store.Path, token);
        await WaitForEventAsync(id, "delivered", data.Path);
        var delivered = (await EventsAsync(id, data.Path)).Single(e => e.Type == "delivered");
        Assert.True(delivered.Time >= dueAt.AddMilliseconds(-50), $"delivered at {delivered.Time} before due {dueAt}");

        // A clean restart after delivery finds nothing left to send: the message was acked, not just delivered.
        Assert.Equal(0, await restarted.TerminateAsync(TimeSpan.FromSeconds(30)));
        await using var again = await world.StartNodeAsync(data.Path, null, TimeSpan.FromSeconds(4));
        using var http = again.CreateHttpClient();
        var summary = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/v1/queue/summary", UriKind.Relative))).RootElement;
        Assert.Equal(0, summary.GetProperty("total").GetInt64());
        Assert.Single(Directory.GetFiles(Path.Combine(store.Path, "new")));
    }

    [Fact]
    public async Task Deliver_ToRealPostfixMx_UsesStartTlsAndArrivesWhole()
    {
        using var postfix = PostfixServer.Start("127.0.0.8", world.MxPort);
        var token = Guid.NewGuid().ToString("N");

        var id = await SendAsync("sender@src.test", ["user@postfix.test"], token);

        await WaitForEventAsync(id, "delivered");
        var delivery = (await EventsAsync(id)).Single(e => e.Type == "delivered");
        Assert.Equal("mx.postfix.test", delivery.RemoteMta);
        var held = Assert.Single(postfix.HeldMessages(), m => m.Contains(token, StringComparison.Ordinal));
        Assert.Contains($"with ESMTP id {id}", held, StringComparison.Ordinal);
        Assert.Contains("user@postfix.test", held, StringComparison.Ordinal);
        // Postfix logs through its postlogd asynchronously: poll for the line with a deadline.
        var logDeadline = DateTime.UtcNow.AddSeconds(10);
        while (!postfix.Log.Contains("TLS connection established from", StringComparison.Ordinal) && DateTime.UtcNow < logDeadline)
        {
            await Task.Delay(50);
        }

        Assert.Contains("TLS connection established from", postfix.Log, StringComparison.Ordinal);
        Assert.Contains("with ESMTPS id", held, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shaping_ManyMessagesToOneSite_StartSlowAndNeverExceedTheSiteLimit()
    {
        using var data = new TempDirectory();
        using var store = new TempDirectory();
        await using var sink = await world.StartSinkAsync(store.Path, "127.0.0.7", "--latency", "20");
        await using var node = await world.StartNodeAsync(
            data.Path, null, null, "--relay-host", $"127.0.0.7:{world.MxPort}");
        const int messages = 120;

        var sends = Enumerable.Range(0, 6).Select(c => Task.Run(async () =>
        {
            await using var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint);
            await dialog.CommandAsync("EHLO load.test");
            for (var i = 0; i < messages / 6; i++)
            {
                await dialog.BeginDataAsync("load@src.test", $"r{c}-{i}@shaped.example");
                Assert.StartsWith("250 ", await dialog.CommandAsync("Subject: shaped\r\n\r\nx\r\n."), StringComparison.Ordinal);
            }
        }));
        await Task.WhenAll(sends);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement stats;
        do
        {
            stats = await sink.SinkStatsAsync();
            if (stats.GetProperty("accepted").GetInt64() == messages)
            {
                break;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(messages, stats.GetProperty("accepted").GetInt64());
        Assert.InRange(stats.GetProperty("maxConcurrentConnections").GetInt64(), 2, 4);
        var opens = File.ReadAllLines(Path.Combine(store.Path, "connections.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "open")
            .Select(e => e.GetProperty("open").GetInt64())
            .ToList();
        Assert.True(opens[0] <= 2 && opens[1] <= 2, "slow start begins with at most two connections: " + string.Join(",", opens));
    }

    [Fact]
    public async Task Shaping_MessageRatePerSite_SpreadsDeliveriesOverTime()
    {
        using var data = new TempDirectory();
        using var store = new TempDirectory();
        await using var sink = await world.StartSinkAsync(store.Path, "127.0.0.7");
        var environment = new Dictionary<string, string>
        {
            ["SLUICE__Delivery__Shaping__Default__MaxMessageRate"] = "20",
            ["SLUICE__Delivery__Shaping__Default__MessageBurst"] = "1",
        };
        await using var node = await world.StartNodeAsync(data.Path, environment, null, null, "--relay-host", $"127.0.0.7:{world.MxPort}");
        await using (var dialog = await SmtpDialog.ConnectAsync(node.SmtpEndpoint))
        {
            await dialog.CommandAsync("EHLO rate.test");
            for (var i = 0; i < 30; i++)
            {
                await dialog.BeginDataAsync("rate@src.test", $"r{i}@rated.example");
                await dialog.CommandAsync("Subject: rated\r\n\r\nx\r\n.");
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64() < 30 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var times = Directory.GetFiles(Path.Combine(store.Path, "new")).Select(File.GetLastWriteTimeUtc).Order().ToList();
        Assert.Equal(30, times.Count);

        // 20 messages/s with no burst: 30 messages need at least 29 intervals of 50 ms.
        Assert.True(times[^1] - times[0] >= TimeSpan.FromSeconds(1.3), $"30 deliveries took {(times[^1] - times[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Egress_PoolOfTwoSources_SpreadsConnectionsOverBothAddresses()
    {
        using var data = new TempDirectory();
        using var store = new TempDirectory();
        await using var sink = await world.StartSinkAsync(store.Path, "127.0.0.7");
        var environment = new Dictionary<string, string>
        {
            ["SLUICE__Delivery__Egress__Sources__0__Name"] = "ip9",
            ["SLUICE__Delivery__Egress__Sources__0__Address"] = "127.0.0.9",
            ["SLUICE__Delivery__Egress__Sources__1__Name"] = "ip10",
            ["SLUICE__Delivery__Egress__Sources__1__Address"] = "127.0.0.10",
            ["SLUICE__Delivery__Egress__Sources__1__EhloName"] = "ten.node.test",
        };
        await using var node = await world.StartNodeAsync(data.Path, environment, null, null, "--relay-host", $"127.0.0.7:{world.MxPort}");
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add(await SendAsync("egress@src.test", [$"r{i}@egress.example"], Guid.NewGuid().ToString("N"), node));
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await sink.SinkStatsAsync()).GetProperty("accepted").GetInt64() < 6 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var log = await File.ReadAllTextAsync(Path.Combine(store.Path, "connections.jsonl"));
        Assert.Contains("\"remote\":\"127.0.0.9:", log, StringComparison.Ordinal);
        Assert.Contains("\"remote\":\"127.0.0.10:", log, StringComparison.Ordinal);
        var helos = Directory.GetFiles(Path.Combine(store.Path, "new")).Select(File.ReadAllText).ToList();
        Assert.Contains(helos, m => m.Contains("Received: from ten.node.test", StringComparison.Ordinal));
        await WaitForEventAsync(ids[^1], "delivered", data.Path);
        var sources = (await Task.WhenAll(ids.Select(id => EventsAsync(id, data.Path))))
            .SelectMany(e => e).Where(e => e.Type == "delivered").Select(e => e.Source).ToHashSet();
        Assert.Equal(["ip10", "ip9"], sources.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Bounce_ByDomain_ReturnsDeferredMessageToSenderAndRemovesIt()
    {
        using var data = new TempDirectory();
        await using var node = await world.StartNodeAsync(data.Path, null, TimeSpan.FromMinutes(10));
        using var http = node.CreateHttpClient();
        var token = Guid.NewGuid().ToString("N");
        var id = await SendAsync("author@example.test", ["stuck@never.test"], token, node);
        await WaitForEventAsync(id, "deferred", data.Path);

        var dry = JsonDocument.Parse(await (await http.PostAsync("api/v1/queue/bounce", JsonContent("{\"domain\":\"never.test\",\"dryRun\":true}"))).Content.ReadAsStringAsync()).RootElement;
        var done = JsonDocument.Parse(await (await http.PostAsync("api/v1/queue/bounce", JsonContent("{\"domain\":\"never.test\",\"reason\":\"Campaign cancelled\"}"))).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(1, dry.GetProperty("count").GetInt64());
        Assert.Equal(1, done.GetProperty("count").GetInt64());
        var bounce = await DeliveryFixture.WaitForMessageAsync(world.StoreA, id + ".dsn");
        var status = Assert.IsType<MultipartReport>((await MimeMessage.LoadAsync(bounce)).Body).OfType<MessageDeliveryStatus>().Single();
        Assert.Equal("5.0.0", status.StatusGroups[1]["Status"]);
        Assert.Contains("Campaign cancelled", status.StatusGroups[1]["Diagnostic-Code"], StringComparison.Ordinal);
        var page = await http.GetStringAsync(new Uri("api/v1/queue/messages?domain=never.test", UriKind.Relative));
        Assert.DoesNotContain(id, page, StringComparison.Ordinal);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private async Task<string> SendAsync(string from, string[] to, string token, SluiceProcess? node = null)
    {
        await using var dialog = await SmtpDialog.ConnectAsync((node ?? world.Node).SmtpEndpoint);
        await dialog.CommandAsync("EHLO client.test");
        Assert.StartsWith("250", await dialog.CommandAsync($"MAIL FROM:<{from}>"), StringComparison.Ordinal);
        foreach (var r in to)
        {
            Assert.StartsWith("250", await dialog.CommandAsync($"RCPT TO:<{r}>"), StringComparison.Ordinal);
        }

        Assert.StartsWith("354", await dialog.CommandAsync("DATA"), StringComparison.Ordinal);
        var reply = await dialog.CommandAsync($"From: <{from}>\r\nSubject: {token}\r\nMessage-ID: <{token}@src.test>\r\n\r\nhello {token}\r\n.");
        Assert.StartsWith("250 2.0.0 OK: queued as ", reply, StringComparison.Ordinal);
        return reply["250 2.0.0 OK: queued as ".Length..];
    }

    private async Task WaitForQueueWithoutAsync(string id)
    {
        using var http = world.Node.CreateHttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var page = await http.GetStringAsync(new Uri("api/v1/queue/messages?limit=1000", UriKind.Relative));
            if (!page.Contains(id, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{id} is still queued");
    }

    private Task<List<EventLine>> EventsAsync(string id, string? dataDirectory = null)
        => Task.FromResult(EventFiles.Read(dataDirectory ?? world.DataDirectory).Where(e => e.MessageId == id).ToList());

    private Task WaitForEventAsync(string id, string type, string? dataDirectory = null)
        => Poll.UntilAsync(async () => (await EventsAsync(id, dataDirectory)).Any(e => e.Type == type), TimeSpan.FromSeconds(30), $"a {type} event for {id}");

    private static async Task<JsonElement> EnvelopeAsync(string store, string messageFile)
        => JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(store, "envelopes", Path.GetFileNameWithoutExtension(messageFile) + ".json"))).RootElement.Clone();
}
