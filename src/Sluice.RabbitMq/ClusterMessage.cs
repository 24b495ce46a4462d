using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.RabbitMq;

/// <summary>
/// A message as it travels through the brokers: the body is the exact stored bytes, everything
/// else (envelope, reception time, attempts, next attempt, last reply) rides in headers, so that
/// every queue and node sees the whole message without a second store.
/// </summary>
internal static class ClusterMessage
{
    private const string EnvelopeHeader = "sluice-envelope";
    private const string ReceivedHeader = "sluice-received";
    private const string AttemptsHeader = "sluice-attempts";
    private const string NextHeader = "sluice-next";
    private const string ReplyHeader = "sluice-reply";
    private const string HoldHeader = "sluice-hold";

    public static BasicProperties Properties(MessageId id, Envelope envelope, DateTimeOffset receivedAt, int attempts, DateTimeOffset nextAttemptAt, string? lastReply, string? holdKey = null)
    {
        var headers = new Dictionary<string, object?>(6, StringComparer.Ordinal)
        {
            [EnvelopeHeader] = JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJson.Default.Envelope),
            [ReceivedHeader] = receivedAt.ToUnixTimeMilliseconds(),
            [AttemptsHeader] = attempts,
            [NextHeader] = nextAttemptAt.ToUnixTimeMilliseconds(),
        };
        if (lastReply is not null)
        {
            headers[ReplyHeader] = Encoding.UTF8.GetBytes(lastReply);
        }

        if (holdKey is not null)
        {
            headers[HoldHeader] = Encoding.UTF8.GetBytes(holdKey);
        }

        return new BasicProperties
        {
            MessageId = id.Value,
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = "message/rfc822",
            Headers = headers,
        };
    }

    /// <summary>Reads a delivery's metadata; null when it is not a Sluice message (it is then dead-lettered, never lost).</summary>
    public static QueueEntry? Read(IReadOnlyBasicProperties properties, long size, QueueMessageState state)
    {
        if (properties.MessageId is not { Length: > 0 } id || properties.Headers is not { } headers
            || Header(headers, EnvelopeHeader) is not byte[] envelopeJson
            || JsonSerializer.Deserialize(envelopeJson, EnvelopeJson.Default.Envelope) is not { } envelope)
        {
            return null;
        }

        return new QueueEntry(
            new MessageId(id),
            envelope,
            size,
            DateTimeOffset.FromUnixTimeMilliseconds(Number(Header(headers, ReceivedHeader))),
            state,
            (int)Number(Header(headers, AttemptsHeader)),
            DateTimeOffset.FromUnixTimeMilliseconds(Number(Header(headers, NextHeader))),
            Header(headers, ReplyHeader) is byte[] reply ? Encoding.UTF8.GetString(reply) : null);
    }

    /// <summary>Makes a message due at <paramref name="at"/> (an operator's retry now), its other headers as they were.</summary>
    public static void DueAt(BasicProperties properties, DateTimeOffset at)
    {
        properties.Headers = properties.Headers is { } headers ? new Dictionary<string, object?>(headers, StringComparer.Ordinal) : new Dictionary<string, object?>(StringComparer.Ordinal);
        properties.Headers[NextHeader] = at.ToUnixTimeMilliseconds();
    }

    /// <summary>The hold key a held message was held under, if any.</summary>
    public static string? HoldKey(IReadOnlyBasicProperties properties)
        => properties.Headers is { } headers && Header(headers, HoldHeader) is byte[] key ? Encoding.UTF8.GetString(key) : null;

    private static object? Header(IDictionary<string, object?> headers, string name) => headers.TryGetValue(name, out var value) ? value : null;

    // AMQP field tables give integers back in the width the sender chose.
    private static long Number(object? value) => value switch
    {
        long l => l,
        int i => i,
        short s => s,
        byte b => b,
        _ => 0,
    };
}
