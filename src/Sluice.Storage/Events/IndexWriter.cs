using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Sluice.Core.Events;

namespace Sluice.Storage.Events;

/// <summary>
/// The index's one writing connection with its statements prepared once: a batch of events becomes
/// one transaction (the events, the messages and recipients they create or move on, and the
/// statistics summed over the batch first).
/// </summary>
internal sealed class IndexWriter : IAsyncDisposable
{
    private const int MaxCachedMessages = 65_536;
    private readonly string _connectionString;
    private readonly Dictionary<string, (string Domain, string Tags)> _messages = new(StringComparer.Ordinal);
    private readonly Dictionary<(long Hour, string Domain, string Tag), long[]> _stats = [];
    private SqliteConnection? _connection;
    private SqliteCommand _insertEvent = null!;
    private SqliteCommand _insertMessage = null!;
    private SqliteCommand _insertRecipient = null!;
    private SqliteCommand _updateRecipient = null!;
    private SqliteCommand _findMessage = null!;
    private SqliteCommand _addStats = null!;
    private SqliteCommand _lastSequence = null!;

    private static readonly string[] Counters = ["received", "delivered", "deferred", "bounced", "expired", "suppressed", "complained", "unsubscribed"];

    public IndexWriter(string connectionString) => _connectionString = connectionString;

    /// <summary>Writes the batch in one transaction; returns the sequence number of its last event.</summary>
    public long Commit(List<DeliveryEvent> batch)
    {
        var connection = Connection();
        using var transaction = connection.BeginTransaction();
        foreach (var command in new[] { _insertEvent, _insertMessage, _insertRecipient, _updateRecipient, _findMessage, _addStats, _lastSequence })
        {
            command.Transaction = transaction;
        }

        _stats.Clear();
        foreach (var e in batch)
        {
            Insert(e);
        }

        foreach (var ((hour, domain, tag), counts) in _stats)
        {
            var p = _addStats.Parameters;
            p[0].Value = hour;
            p[1].Value = domain;
            p[2].Value = tag;
            for (var i = 0; i < counts.Length; i++)
            {
                p[3 + i].Value = counts[i];
            }

            _addStats.ExecuteNonQuery();
        }

        var last = (long)(_lastSequence.ExecuteScalar() ?? 0L);
        transaction.Commit();
        return last;
    }

    /// <summary>Deletes events and messages received before <paramref name="oldest"/>, statistics before <paramref name="statsOldest"/>, a chunk at a time.</summary>
    public (long Events, long Messages) Prune(DateTimeOffset oldest, DateTimeOffset statsOldest)
    {
        var connection = Connection();
        var before = oldest.ToUnixTimeMilliseconds();
        long events = 0, messages = 0;
        using var command = connection.CreateCommand();
        command.Parameters.AddWithValue("$t", before);
        command.CommandText = "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < $t ORDER BY seq LIMIT 5000)";
        for (int n; (n = command.ExecuteNonQuery()) > 0;)
        {
            events += n;
        }

        command.CommandText = """
            DELETE FROM recipients WHERE message_id IN (SELECT id FROM messages WHERE received_at < $t LIMIT 5000);
            DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE received_at < $t LIMIT 5000);
            """;
        for (int n; (n = command.ExecuteNonQuery()) > 0;)
        {
            messages += n;
        }

        command.CommandText = "DELETE FROM stats WHERE hour < $h";
        command.Parameters.AddWithValue("$h", statsOldest.ToUnixTimeSeconds() / 3600);
        command.ExecuteNonQuery();
        return (events, messages);
    }

    /// <summary>After a failed batch: the connection and its statements are made anew on the next.</summary>
    public void Reset()
    {
        _connection?.Dispose();
        _connection = null;
        _messages.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Insert(DeliveryEvent e)
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
        p[12].Value = e.Type is DeliveryEventType.Suppression or DeliveryEventType.SenderPause or DeliveryEventType.SenderResumption ? (object?)e.Sender ?? DBNull.Value : DBNull.Value;
        _insertEvent.ExecuteNonQuery();

        string domain, tags;
        switch (e.Type)
        {
            case DeliveryEventType.Reception:
                (domain, tags) = (Core.Messages.AddressDomain.Of(e.Sender), Tags(e.Tags));
                p = _insertMessage.Parameters;
                p[0].Value = e.MessageId;
                p[1].Value = e.Time.ToUnixTimeMilliseconds() - (long)(e.QueuedMs ?? 0);
                p[2].Value = e.Sender ?? string.Empty;
                p[3].Value = domain;
                p[4].Value = (object?)Decode(e.Subject) ?? DBNull.Value;
                p[5].Value = tags;
                p[6].Value = e.Size ?? 0;
                p[7].Value = (object?)e.Credential ?? DBNull.Value;
                _insertMessage.ExecuteNonQuery();
                Remember(e.MessageId, domain, tags);
                if (e.Recipient is not null)
                {
                    p = _insertRecipient.Parameters;
                    p[0].Value = e.MessageId;
                    p[1].Value = e.Recipient;
                    p[2].Value = e.Time.ToUnixTimeMilliseconds();
                    _insertRecipient.ExecuteNonQuery();
                }

                break;
            case DeliveryEventType.Suppression:
                (domain, tags) = (Core.Messages.AddressDomain.Of(e.Sender), string.Empty);
                break;
            default:
                (domain, tags) = Find(e.MessageId);
                if (EventNames.RecipientState(e.Type) is { } state && e.Recipient is not null)
                {
                    p = _updateRecipient.Parameters;
                    p[0].Value = state;
                    p[1].Value = (object?)e.Reply ?? DBNull.Value;
                    p[2].Value = e.Time.ToUnixTimeMilliseconds();
                    p[3].Value = e.MessageId;
                    p[4].Value = e.Recipient;
                    _updateRecipient.ExecuteNonQuery();
                }

                break;
        }

        if (Counter(e.Type) is not { } counter)
        {
            return;
        }

        var hour = e.Time.ToUnixTimeSeconds() / 3600;
        Count(hour, domain, string.Empty, counter);
        if (tags.Length > 0)
        {
            foreach (var tag in tags.Split(SqliteEventIndex.TagSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                Count(hour, domain, tag, counter);
            }
        }
    }

    private void Count(long hour, string domain, string tag, int counter)
    {
        if (!_stats.TryGetValue((hour, domain, tag), out var counts))
        {
            counts = new long[Counters.Length];
            _stats[(hour, domain, tag)] = counts;
        }

        counts[counter]++;
    }

    private static int? Counter(DeliveryEventType type) => SqliteEventIndex.StatsColumn(type) is { } column ? Array.IndexOf(Counters, column) : null;

    private (string Domain, string Tags) Find(string messageId)
    {
        if (_messages.TryGetValue(messageId, out var known))
        {
            return known;
        }

        _findMessage.Parameters[0].Value = messageId;
        using var reader = _findMessage.ExecuteReader();
        var found = reader.Read() ? (reader.GetString(0), reader.GetString(1)) : (string.Empty, string.Empty);
        Remember(messageId, found.Item1, found.Item2);
        return found;
    }

    private void Remember(string messageId, string domain, string tags)
    {
        if (_messages.Count >= MaxCachedMessages)
        {
            _messages.Clear();
        }

        _messages[messageId] = (domain, tags);
    }

    private static string Tags(IReadOnlyList<string>? tags)
    {
        if (tags is null || tags.Count == 0)
        {
            return string.Empty;
        }

        var builder = new StringBuilder(SqliteEventIndex.TagSeparator);
        foreach (var tag in tags)
        {
            builder.Append(tag).Append(SqliteEventIndex.TagSeparatorChar);
        }

        return builder.ToString();
    }

    /// <summary>RFC 2047 encoded words in the Subject, decoded for search and display.</summary>
    private static string? Decode(string? subject)
        => subject is not null && subject.Contains("=?", StringComparison.Ordinal)
            ? MimeKit.Utils.Rfc2047.DecodeText(Encoding.UTF8.GetBytes(subject))
            : subject;

    private SqliteConnection Connection()
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        _insertEvent = Prepare(connection, "INSERT INTO events (time, type, message_id, recipient, site, remote_mta, attempt, reply, classification, duration_ms, queued_ms, source, sender) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)", 13);
        _insertMessage = Prepare(connection, "INSERT OR IGNORE INTO messages (id, received_at, sender, sender_domain, subject, tags, size, credential) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8);
        _insertRecipient = Prepare(connection, "INSERT OR REPLACE INTO recipients (message_id, address, state, reply, updated_at) VALUES ($1, $2, 'queued', NULL, $3)", 3);
        _updateRecipient = Prepare(connection, "UPDATE recipients SET state = $1, reply = coalesce($2, reply), updated_at = $3 WHERE message_id = $4 AND address = $5", 5);
        _findMessage = Prepare(connection, "SELECT sender_domain, tags FROM messages WHERE id = $1", 1);
        var columns = string.Join(", ", Counters);
        var values = string.Join(", ", Enumerable.Range(4, Counters.Length).Select(i => string.Create(CultureInfo.InvariantCulture, $"${i}")));
        var sums = string.Join(", ", Counters.Select(c => $"{c} = {c} + excluded.{c}"));
        _addStats = Prepare(connection, $"INSERT INTO stats (hour, sender_domain, tag, {columns}) VALUES ($1, $2, $3, {values}) ON CONFLICT (hour, sender_domain, tag) DO UPDATE SET {sums}", 3 + Counters.Length);
        _lastSequence = Prepare(connection, "SELECT last_insert_rowid()", 0);
        _connection = connection;
        return connection;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 1; i <= parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter(string.Create(CultureInfo.InvariantCulture, $"${i}"), null));
        }

        return command;
    }
}
