using System.Globalization;
using Microsoft.Data.Sqlite;
using Sluice.Core.Events;

namespace Sluice.Storage.Events;

/// <summary>
/// The embedded index's one writing connection with its statements prepared once: a batch is one
/// transaction of a statement per event, message, recipient and statistics row (SQLite runs them
/// in process, so many small statements cost no round trips).
/// </summary>
internal sealed class SqliteIndexSession : IndexSession
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _insertMessage;
    private readonly SqliteCommand _upsertRecipient;
    private readonly SqliteCommand _findMessage;
    private readonly SqliteCommand _addStats;
    private readonly SqliteCommand _lastSequence;
    private readonly SqliteCommand _deleted;
    private readonly SqliteCommand _released;

    public SqliteIndexSession(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        _insertEvent = Prepare($"INSERT INTO events ({IndexStatements.EventColumns}) VALUES ({Placeholders(1, 13)})", 13);
        _insertMessage = Prepare($"INSERT INTO messages ({IndexStatements.MessageColumns}) VALUES ({Placeholders(1, 8)}) ON CONFLICT (id) DO NOTHING", 8);
        _upsertRecipient = Prepare($"INSERT INTO recipients (message_id, address, state, reply, updated_at, held_for) VALUES ($1, $2, $3, $4, $5, $6) {IndexStatements.RecipientConflict}", 6);
        _findMessage = Prepare("SELECT sender_domain, tags FROM messages WHERE id = $1", 1);
        var counters = IndexBatch.Counters.Length;
        _addStats = Prepare($"INSERT INTO stats (hour, sender_domain, tag, {IndexStatements.StatsColumns}) VALUES ({Placeholders(1, 3 + counters)}) {IndexStatements.StatsConflict}", 3 + counters);
        _lastSequence = Prepare("SELECT last_insert_rowid()", 0);
        _deleted = Prepare($"UPDATE recipients {IndexStatements.DeletedSet("$2")} {IndexStatements.DeletedWhere("$1", "$2")}", 2);
        _released = Prepare($"UPDATE recipients {IndexStatements.ReleasedSet("$2")} {IndexStatements.ReleasedWhere("$1", "$2")}", 2);
    }

    public override (string Domain, string Tags)? Find(string messageId)
    {
        _findMessage.Parameters[0].Value = messageId;
        using var reader = _findMessage.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    public override long Commit(IndexBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        using var transaction = _connection.BeginTransaction();
        foreach (var command in new[] { _insertEvent, _insertMessage, _upsertRecipient, _addStats, _lastSequence, _deleted, _released })
        {
            command.Transaction = transaction;
        }

        foreach (var e in batch.Events)
        {
            var p = _insertEvent.Parameters;
            p[0].Value = e.Time.ToUnixTimeMilliseconds();
            p[1].Value = (int)e.Type;
            p[2].Value = e.MessageId;
            p[3].Value = (object?)e.Recipient ?? DBNull.Value;
            p[4].Value = (object?)e.Site ?? DBNull.Value;
            p[5].Value = (object?)e.RemoteMta ?? DBNull.Value;
            p[6].Value = e.Attempt;
            p[7].Value = (object?)e.Reply ?? DBNull.Value;
            p[8].Value = (object?)e.Classification ?? DBNull.Value;
            p[9].Value = (object?)e.DurationMs ?? DBNull.Value;
            p[10].Value = (object?)e.QueuedMs ?? DBNull.Value;
            p[11].Value = (object?)e.Source ?? DBNull.Value;
            p[12].Value = (object?)IndexBatch.SenderColumn(e) ?? DBNull.Value;
            _insertEvent.ExecuteNonQuery();
        }

        foreach (var m in batch.Messages)
        {
            var p = _insertMessage.Parameters;
            p[0].Value = m.Id;
            p[1].Value = m.ReceivedAt;
            p[2].Value = m.Sender;
            p[3].Value = m.SenderDomain;
            p[4].Value = (object?)m.Subject ?? DBNull.Value;
            p[5].Value = m.Tags;
            p[6].Value = m.Size;
            p[7].Value = (object?)m.Credential ?? DBNull.Value;
            _insertMessage.ExecuteNonQuery();
        }

        foreach (var r in batch.Recipients.Values)
        {
            var p = _upsertRecipient.Parameters;
            p[0].Value = r.MessageId;
            p[1].Value = r.Address;
            p[2].Value = r.State;
            p[3].Value = (object?)r.Reply ?? DBNull.Value;
            p[4].Value = r.UpdatedAt;
            p[5].Value = (object?)r.HeldFor ?? DBNull.Value;
            _upsertRecipient.ExecuteNonQuery();
        }

        foreach (var (id, at) in batch.Deleted)
        {
            _deleted.Parameters[0].Value = id;
            _deleted.Parameters[1].Value = at;
            _deleted.ExecuteNonQuery();
        }

        foreach (var (key, at) in batch.Released)
        {
            _released.Parameters[0].Value = key;
            _released.Parameters[1].Value = at;
            _released.ExecuteNonQuery();
        }

        foreach (var (key, counts) in batch.Stats)
        {
            var p = _addStats.Parameters;
            p[0].Value = key.Hour;
            p[1].Value = key.SenderDomain;
            p[2].Value = key.Tag;
            for (var i = 0; i < counts.Length; i++)
            {
                p[3 + i].Value = counts[i];
            }

            _addStats.ExecuteNonQuery();
        }

        var last = batch.Events.Count > 0 ? (long)(_lastSequence.ExecuteScalar() ?? 0L) : 0;
        transaction.Commit();
        return last;
    }

    public override (long Events, long Messages) Prune(DateTimeOffset oldest, DateTimeOffset statsOldest)
    {
        using var command = _connection.CreateCommand();
        return IndexStatements.Prune(command, oldest, statsOldest);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connection.Dispose();
        }
    }

    private static string Placeholders(int first, int count)
    {
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = string.Create(CultureInfo.InvariantCulture, $"${first + i}");
        }

        return string.Join(", ", names);
    }

    private SqliteCommand Prepare(string sql, int parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 1; i <= parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter(string.Create(CultureInfo.InvariantCulture, $"${i}"), null));
        }

        return command;
    }
}
