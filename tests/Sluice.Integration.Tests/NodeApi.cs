using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Sluice.Integration.Tests;

/// <summary>The node's HTTP API as the tests use it again and again: send one message, count held mail.</summary>
internal static class NodeApi
{
    /// <summary>Sends one text message (with tags when given); asserts it was accepted and returns its id.</summary>
    public static async Task<string> SendAsync(HttpClient http, string from, string to, string subject, params string[] tags)
    {
        using var response = await http.PostAsJsonAsync(new Uri("api/v1/messages", UriKind.Relative), new { from, to = new[] { to }, subject, text = "hello", tags });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Messages held in the queue now (suspended, paused, resting, waiting for warm-up).</summary>
    public static async Task<long> HeldAsync(HttpClient http)
    {
        var summary = await http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/queue/summary", UriKind.Relative));
        return summary.GetProperty("byState").TryGetProperty("held", out var held) ? held.GetInt64() : 0;
    }

    /// <summary>The state of a message's first recipient as the index knows it; null while the index has not written the message yet.</summary>
    public static string? RecipientStatus(JsonElement message)
        => message.GetProperty("recipients").ValueKind == JsonValueKind.Array ? message.GetProperty("recipients")[0].GetProperty("status").GetString() : null;
}
