using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sluice.Testing;

namespace Sluice.Integration.Tests;

/// <summary>The message index on a delivering node: search, a message's timeline, and statistics by sending domain and tag, over the API.</summary>
public sealed class MessageIndexTests(DeliveryFixture world) : IClassFixture<DeliveryFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Search_ByRecipientSenderSubjectTagAndState_FindsDeliveredMessages()
    {
        using var http = world.Node.CreateHttpClient();
        var token = Guid.NewGuid().ToString("N")[..8];
        var first = await SendAsync(http, $"one-{token}@example.test", $"Grüße {token}", "invoice");
        var second = await SendAsync(http, $"two-{token}@example.test", $"Receipt {token}", "receipt");
        await WaitDeliveredAsync(http, first);
        await WaitDeliveredAsync(http, second);

        Assert.Equal([first], await SearchAsync(http, $"recipient=one-{token}@example.test"));
        Assert.Equal([second, first], await SearchAsync(http, $"subject={token}&sender=@index.example"));
        Assert.Equal([first], await SearchAsync(http, "subject=" + Uri.EscapeDataString("GRüße " + token)));
        Assert.Equal([second], await SearchAsync(http, $"subject={token}&tag=receipt&state=delivered"));
        Assert.Empty(await SearchAsync(http, $"subject={token}&state=bounced"));

        // Pages of one, newest first, joined by the cursor.
        var page = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages?subject={token}&limit=1", UriKind.Relative));
        Assert.Equal(second, page.GetProperty("items")[0].GetProperty("id").GetString());
        var next = page.GetProperty("nextCursor").GetString();
        var rest = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages?subject={token}&limit=1&cursor={Uri.EscapeDataString(next!)}", UriKind.Relative));
        Assert.Equal(first, rest.GetProperty("items")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task GetMessage_Delivered_TimelineFromTheIndex()
    {
        using var http = world.Node.CreateHttpClient();
        var id = await SendAsync(http, "timeline@example.test", "Timeline", "t");
        var message = await WaitDeliveredAsync(http, id);
        Assert.Equal("Timeline", message.GetProperty("subject").GetString());
        var types = message.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["received", "delivered"], types);
        var delivered = message.GetProperty("events")[1];
        Assert.StartsWith("250", delivered.GetProperty("reply").GetString(), StringComparison.Ordinal);
        Assert.Equal("timeline@example.test", delivered.GetProperty("recipient").GetString());
    }

    [Fact]
    public async Task Stats_AfterDeliveries_CountsBySendingDomainAndTag()
    {
        using var http = world.Node.CreateHttpClient();
        var tag = "stats-" + Guid.NewGuid().ToString("N")[..6];
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await SendAsync(http, $"stats-{i}@example.test", "Stats", tag, from: "news@stats.example"));
        }

        foreach (var id in ids)
        {
            await WaitDeliveredAsync(http, id);
        }

        var byDomain = await Poll.ForAsync(
            () => http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/stats?by=domain&interval=day", UriKind.Relative)),
            j => j.GetProperty("items").EnumerateArray().Any(r => r.GetProperty("senderDomain").GetString() == "stats.example" && r.GetProperty("delivered").GetInt64() == 3),
            Patience,
            "three delivered for stats.example");
        var row = byDomain.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("senderDomain").GetString() == "stats.example");
        Assert.Equal(3, row.GetProperty("received").GetInt64());
        Assert.Equal(0, row.GetProperty("bounced").GetInt64());

        // The API's submissions count as accepted too, by protocol and sending domain.
        Assert.Contains("sluice_messages_accepted_total{protocol=\"http\",sender_domain=\"stats.example\"} 3", await http.GetStringAsync(new Uri("metrics", UriKind.Relative)), StringComparison.Ordinal);

        var byTag = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/stats?tag={tag}", UriKind.Relative));
        var hours = byTag.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, hours.Sum(r => r.GetProperty("delivered").GetInt64()));
        Assert.All(hours, r => Assert.Equal(tag, r.GetProperty("tag").GetString()));
    }

    [Fact]
    public async Task Search_BadState_ProblemNamesTheField()
    {
        using var http = world.Node.CreateHttpClient();
        using var response = await http.GetAsync(new Uri("api/v1/messages?state=lost&from=yesterday", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("state", out _));
        Assert.True(errors.TryGetProperty("from", out _));
    }

    private static async Task<List<string>> SearchAsync(HttpClient http, string query)
    {
        var page = await http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/messages?" + query, UriKind.Relative));
        return page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();
    }

    private static Task<JsonElement> WaitDeliveredAsync(HttpClient http, string id)
        => Poll.ForAsync(
            () => http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/messages/{id}", UriKind.Relative)),
            m => m.TryGetProperty("recipients", out var r) && r.ValueKind == JsonValueKind.Array && r.GetArrayLength() > 0 && r[0].GetProperty("status").GetString() == "delivered"
                && m.GetProperty("events").GetArrayLength() >= 2,
            Patience,
            $"{id} delivered and indexed");

    private static async Task<string> SendAsync(HttpClient http, string to, string subject, string tag, string from = "api@index.example")
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from, to = new[] { to }, subject, text = "hello", tags = new[] { tag } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
