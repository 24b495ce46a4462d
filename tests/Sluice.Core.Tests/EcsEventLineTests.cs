using System.Text.Json;
using Sluice.Core.Events;
using Sluice.Testing;

namespace Sluice.Core.Tests;

public sealed class EcsEventLineTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 12, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void Format_Delivery_EcsFieldsAndSluiceExtras()
    {
        var line = EcsEventLine.Format(new DeliveryEvent(At, DeliveryEventType.Delivery, "01ABC", "r@dest.example", "mx.dest.example", "mx1.dest.example", 2, "250 2.0.0 ok \"quoted\"", "delivered", 12.5, Source: "10.0.0.5", QueuedMs: 1500.25));

        var json = JsonDocument.Parse(line).RootElement;
        Assert.DoesNotContain('\n', line);
        Assert.Equal("2026-11-30T12:00:00.123Z", json.GetProperty("@timestamp").GetString());
        Assert.Equal("8.11.0", json.GetProperty("ecs").GetProperty("version").GetString());
        var e = json.GetProperty("event");
        Assert.Equal(("event", "delivered", "success", "sluice.delivery", 12_500_000L), (e.GetProperty("kind").GetString(), e.GetProperty("action").GetString(), e.GetProperty("outcome").GetString(), e.GetProperty("dataset").GetString(), e.GetProperty("duration").GetInt64()));
        Assert.Equal("email", e.GetProperty("category")[0].GetString());
        Assert.Equal("r@dest.example", json.GetProperty("email").GetProperty("to").GetProperty("address")[0].GetString());
        Assert.Equal("mx.dest.example", json.GetProperty("destination").GetProperty("domain").GetString());
        Assert.Equal("mx1.dest.example", json.GetProperty("server").GetProperty("address").GetString());
        var parsed = EventFiles.Parse(line);
        Assert.Equal(("01ABC", 2, "250 2.0.0 ok \"quoted\"", "delivered", 1500.25, "10.0.0.5"), (parsed.MessageId, parsed.Attempt, parsed.Reply, parsed.Classification, parsed.QueuedMs!.Value, parsed.Source));
    }

    [Fact]
    public void Format_Reception_ClientSenderSubjectTagsSize()
    {
        var line = EcsEventLine.Format(new DeliveryEvent(At, DeliveryEventType.Reception, "01ABC", "r@dest.example", null, "192.0.2.7", 0, null, "received", 3, Sender: "s@src.example", Subject: "Grüße <b>", Tags: ["a", "b"], Size: 4096));

        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal("received", json.GetProperty("event").GetProperty("action").GetString());
        Assert.Equal("192.0.2.7", json.GetProperty("client").GetProperty("address").GetString());
        Assert.False(json.TryGetProperty("server", out _));
        Assert.Equal("s@src.example", json.GetProperty("email").GetProperty("from").GetProperty("address")[0].GetString());
        Assert.Equal("Grüße <b>", json.GetProperty("email").GetProperty("subject").GetString());
        Assert.Equal(["a", "b"], json.GetProperty("sluice").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(4096, json.GetProperty("sluice").GetProperty("size").GetInt64());
        Assert.False(json.GetProperty("sluice").TryGetProperty("attempt", out _));
    }

    [Theory]
    [InlineData(DeliveryEventType.TransientFailure, "deferred", "failure")]
    [InlineData(DeliveryEventType.Bounce, "bounced", "failure")]
    [InlineData(DeliveryEventType.Expiration, "expired", "failure")]
    [InlineData(DeliveryEventType.Suppression, "suppressed", "failure")]
    [InlineData(DeliveryEventType.AdminAction, "admin", "success")]
    [InlineData(DeliveryEventType.Complaint, "complained", "unknown")]
    [InlineData(DeliveryEventType.Hold, "held", "unknown")]
    [InlineData(DeliveryEventType.Release, "released", "success")]
    public void Format_EachType_ActionAndOutcome(DeliveryEventType type, string action, string outcome)
    {
        var e = JsonDocument.Parse(EcsEventLine.Format(new DeliveryEvent(At, type, "-", null, null, null, 0, null, null, null))).RootElement.GetProperty("event");

        Assert.Equal((action, outcome), (e.GetProperty("action").GetString(), e.GetProperty("outcome").GetString()));
    }
}
