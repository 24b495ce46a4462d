using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Sluice.Core.Events;

/// <summary>
/// A delivery event as one line of JSON in the Elastic Common Schema (8.x), the shape the event
/// files, syslog and AMQP carry: <c>@timestamp</c>; <c>event.*</c> (<c>action</c> = the public event
/// name, <c>outcome</c>, <c>duration</c> in nanoseconds, <c>dataset</c> <c>sluice.delivery</c>);
/// <c>email.from/to.address</c>, <c>email.subject</c>; <c>destination.domain</c> (the site);
/// <c>server.address</c> (the remote MTA) or, for a reception, <c>client.address</c>; and what ECS has
/// no field for under <c>sluice.*</c> (message id, attempt, reply, classification, queue time, egress
/// source, tags, size, a paused sender's key); <c>user.name</c> the credential a message came with. Written with a per-thread buffer: no intermediate objects per event.
/// </summary>
public static class EcsEventLine
{
    public const string EcsVersion = "8.11.0";

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static string Format(DeliveryEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var json = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteString("@timestamp"u8, e.Time.UtcDateTime);
        json.WriteStartObject("ecs"u8);
        json.WriteString("version"u8, EcsVersion);
        json.WriteEndObject();

        json.WriteStartObject("event"u8);
        json.WriteString("kind"u8, "event"u8);
        json.WriteStartArray("category"u8);
        json.WriteStringValue("email"u8);
        json.WriteEndArray();
        json.WriteString("action"u8, EventNames.Name(e.Type));
        json.WriteString("outcome"u8, Outcome(e.Type));
        json.WriteString("dataset"u8, "sluice.delivery"u8);
        if (e.DurationMs is { } ms)
        {
            json.WriteNumber("duration"u8, (long)(ms * 1_000_000));
        }

        json.WriteEndObject();

        // A sender pause names the paused sender's key (sender_domain:…, tag:…, api_key:…), not an address.
        var senderKey = e.Type is DeliveryEventType.SenderPause or DeliveryEventType.SenderResumption ? e.Sender : null;
        var from = senderKey is null ? e.Sender : null;
        if (from is not null || e.Recipient is not null || e.Subject is not null)
        {
            json.WriteStartObject("email"u8);
            Address(json, "from"u8, from);
            Address(json, "to"u8, e.Recipient);
            if (e.Subject is not null)
            {
                json.WriteString("subject"u8, e.Subject);
            }

            json.WriteEndObject();
        }

        if (e.Site is not null)
        {
            json.WriteStartObject("destination"u8);
            json.WriteString("domain"u8, e.Site);
            json.WriteEndObject();
        }

        if (e.RemoteMta is not null)
        {
            // A reception's remote end is the client that submitted; any other event's, the server it went to.
            json.WriteStartObject(e.Type == DeliveryEventType.Reception ? "client"u8 : "server"u8);
            json.WriteString("address"u8, e.RemoteMta);
            json.WriteEndObject();
        }

        if (e.Credential is not null)
        {
            json.WriteStartObject("user"u8);
            json.WriteString("name"u8, e.Credential);
            json.WriteEndObject();
        }

        json.WriteStartObject("sluice"u8);
        json.WriteString("message_id"u8, e.MessageId);
        WriteIf(json, "sender_key"u8, senderKey);
        if (e.Attempt > 0)
        {
            json.WriteNumber("attempt"u8, e.Attempt);
        }

        WriteIf(json, "reply"u8, e.Reply);
        WriteIf(json, "classification"u8, e.Classification);
        if (e.QueuedMs is { } queued)
        {
            json.WriteNumber("queued_ms"u8, Math.Round(queued, 3));
        }

        WriteIf(json, "source"u8, e.Source);
        if (e.Tags is { Count: > 0 } tags)
        {
            json.WriteStartArray("tags"u8);
            foreach (var tag in tags)
            {
                json.WriteStringValue(tag);
            }

            json.WriteEndArray();
        }

        if (e.Size is { } size)
        {
            json.WriteNumber("size"u8, size);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>ECS event.outcome: whether the step the event records succeeded.</summary>
    private static string Outcome(DeliveryEventType type) => type switch
    {
        DeliveryEventType.Reception or DeliveryEventType.Delivery or DeliveryEventType.AdminAction => "success",
        DeliveryEventType.TransientFailure or DeliveryEventType.Bounce or DeliveryEventType.Expiration or DeliveryEventType.Suppression => "failure",
        DeliveryEventType.Release => "success",
        _ => "unknown",
    };

    private static void Address(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? address)
    {
        if (address is null)
        {
            return;
        }

        json.WriteStartObject(name);
        json.WriteStartArray("address"u8);
        json.WriteStringValue(address);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteIf(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
