using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>Maps <c>messages</c> rows to <see cref="QueueEntry"/>; the column list every query selects.</summary>
internal static class SpoolRows
{
    public const string Columns = "id, envelope, size, received_at, state, attempts, next_attempt, last_reply";

    public static QueueEntry Read(SqliteDataReader reader)
    {
        var envelope = JsonSerializer.Deserialize(reader.GetString(1), Core.Messages.EnvelopeJson.Default.Envelope)
            ?? throw new InvalidDataException("Spool row without an envelope.");
        return new QueueEntry(
            new MessageId(reader.GetString(0)),
            envelope,
            reader.GetInt64(2),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            (QueueMessageState)reader.GetInt32(4),
            reader.GetInt32(5),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
            reader.IsDBNull(7) ? null : reader.GetString(7));
    }
}
