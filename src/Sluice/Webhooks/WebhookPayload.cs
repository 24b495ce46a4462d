using System.Buffers;
using System.Text.Json;
using Sluice.Core.Events;

namespace Sluice.Webhooks;

/// <summary>
/// The body of a post: <c>{"webhookId":…, "events":[…]}</c>. Each event has an <c>id</c> that stays
/// the same across retries and replays (its place in the node's event sequence), so a receiver can
/// drop duplicates: delivery is at least once.
/// </summary>
internal static class WebhookPayload
{
    public static byte[] Build(string webhookId, IReadOnlyList<IndexedEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var buffer = new ArrayBufferWriter<byte>(256 * (events.Count + 1));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("webhookId", webhookId);
            json.WriteStartArray("events");
            foreach (var (sequence, e) in events)
            {
                json.WriteStartObject();
                json.WriteString("id", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
                json.WriteString("type", EventNames.Name(e.Type));
                json.WriteString("time", e.Time);
                json.WriteString("messageId", e.MessageId);
                WriteIf(json, "recipient", e.Recipient);
                WriteIf(json, "sender", e.Sender);
                WriteIf(json, "subject", e.Subject);
                if (e.Tags is { Count: > 0 } tags)
                {
                    json.WriteStartArray("tags");
                    foreach (var tag in tags)
                    {
                        json.WriteStringValue(tag);
                    }

                    json.WriteEndArray();
                }

                WriteIf(json, "destination", e.Site);
                WriteIf(json, "remoteMta", e.RemoteMta);
                if (e.Attempt > 0)
                {
                    json.WriteNumber("attempt", e.Attempt);
                }

                WriteIf(json, "reply", e.Reply);
                WriteIf(json, "classification", e.Classification);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteIf(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
