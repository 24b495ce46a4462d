using Npgsql;
using Sluice.Core.Events;

namespace Sluice.Postgres;

/// <summary>
/// A node's index writer on PostgreSQL: a batch is one transaction of one statement per table, each
/// inserting its rows from arrays (<c>unnest</c>), sent together in one round trip with the batch
/// lock (see <see cref="PostgresEventDatabase"/>), then the commit.
/// </summary>
internal sealed class PostgresIndexSession(NpgsqlConnection connection) : IndexSession
{
    private static readonly string InsertEvents = $"""
        WITH added AS (
            INSERT INTO events ({IndexStatements.EventColumns})
            SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], $9::text[], $10::double precision[], $11::double precision[], $12::text[], $13::text[])
            RETURNING seq)
        SELECT coalesce(max(seq), 0) FROM added
        """;

    private static readonly string InsertMessages = $"""
        INSERT INTO messages ({IndexStatements.MessageColumns})
        SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
        ON CONFLICT (id) DO NOTHING
        """;

    private static readonly string UpsertRecipients = $"""
        INSERT INTO recipients (message_id, address, state, reply, updated_at, held_for)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
        {IndexStatements.RecipientConflict}
        """;

    private static readonly string AddStats = $"""
        INSERT INTO stats (hour, sender_domain, tag, {IndexStatements.StatsColumns})
        SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], {string.Join(", ", Enumerable.Range(4, IndexBatch.Counters.Length).Select(i => $"${i}::bigint[]"))})
        {IndexStatements.StatsConflict}
        """;

    private static readonly string MarkDeleted = $"""
        UPDATE recipients {IndexStatements.DeletedSet("d.at")}
        FROM unnest($1::text[], $2::bigint[]) AS d(id, at)
        {IndexStatements.DeletedWhere("d.id", "d.at")}
        """;

    private static readonly string MarkReleased = $"""
        UPDATE recipients {IndexStatements.ReleasedSet("d.at")}
        FROM unnest($1::text[], $2::bigint[]) AS d(hold_key, at)
        {IndexStatements.ReleasedWhere("d.hold_key", "d.at")}
        """;

    public override (string Domain, string Tags)? Find(string messageId)
    {
        EnsureOpen();
        using var command = new NpgsqlCommand("SELECT sender_domain, tags FROM messages WHERE id = $1", connection) { Parameters = { new() { Value = messageId } } };
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    public override long Commit(IndexBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        EnsureOpen();
        using var transaction = connection.BeginTransaction();
        using var commands = new NpgsqlBatch(connection, transaction);
        commands.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)") { Parameters = { new() { Value = PostgresEventDatabase.BatchLock } } });
        commands.BatchCommands.Add(Events(batch.Events));
        if (batch.Messages.Count > 0)
        {
            commands.BatchCommands.Add(Messages(batch.Messages));
        }

        if (batch.Recipients.Count > 0)
        {
            commands.BatchCommands.Add(Recipients(batch.Recipients.Values));
        }

        if (batch.Deleted.Count > 0)
        {
            commands.BatchCommands.Add(Command(MarkDeleted, batch.Deleted.ConvertAll(d => d.MessageId).ToArray(), batch.Deleted.ConvertAll(d => d.At).ToArray()));
        }

        if (batch.Released.Count > 0)
        {
            commands.BatchCommands.Add(Command(MarkReleased, batch.Released.ConvertAll(r => r.HoldKey).ToArray(), batch.Released.ConvertAll(r => r.At).ToArray()));
        }

        if (batch.Stats.Count > 0)
        {
            commands.BatchCommands.Add(Stats(batch.Stats));
        }

        long last;
        using (var reader = commands.ExecuteReader())
        {
            reader.NextResult();
            last = reader.Read() ? reader.GetInt64(0) : 0;
            while (reader.NextResult())
            {
                // The rest of the batch: no rows to read, but its errors surface here.
            }
        }

        transaction.Commit();
        return last;
    }

    public override (long Events, long Messages) Prune(DateTimeOffset oldest, DateTimeOffset statsOldest)
    {
        using var command = connection.CreateCommand();
        return IndexStatements.Prune(command, oldest, statsOldest);
    }

    /// <summary>A connection the server dropped (a restart) is a fault of the database like any other: the writer opens a new session and tries again.</summary>
    private void EnsureOpen()
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            throw new NpgsqlException("The message index's connection to PostgreSQL was closed");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            connection.Dispose();
        }
    }

    private static NpgsqlBatchCommand Events(List<DeliveryEvent> events)
    {
        var n = events.Count;
        var time = new long[n];
        var type = new int[n];
        var messageId = new string[n];
        var recipient = new string?[n];
        var site = new string?[n];
        var remoteMta = new string?[n];
        var attempt = new long[n];
        var reply = new string?[n];
        var classification = new string?[n];
        var duration = new double?[n];
        var queued = new double?[n];
        var source = new string?[n];
        var sender = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var e = events[i];
            time[i] = e.Time.ToUnixTimeMilliseconds();
            type[i] = (int)e.Type;
            messageId[i] = e.MessageId;
            recipient[i] = e.Recipient;
            site[i] = e.Site;
            remoteMta[i] = e.RemoteMta;
            attempt[i] = e.Attempt;
            reply[i] = e.Reply;
            classification[i] = e.Classification;
            duration[i] = e.DurationMs;
            queued[i] = e.QueuedMs;
            source[i] = e.Source;
            sender[i] = IndexBatch.SenderColumn(e);
        }

        return Command(InsertEvents, time, type, messageId, recipient, site, remoteMta, attempt, reply, classification, duration, queued, source, sender);
    }

    private static NpgsqlBatchCommand Messages(List<IndexMessageRow> messages)
    {
        var n = messages.Count;
        var id = new string[n];
        var receivedAt = new long[n];
        var sender = new string[n];
        var domain = new string[n];
        var subject = new string?[n];
        var tags = new string[n];
        var size = new long[n];
        var credential = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var m = messages[i];
            (id[i], receivedAt[i], sender[i], domain[i], subject[i], tags[i], size[i], credential[i]) = (m.Id, m.ReceivedAt, m.Sender, m.SenderDomain, m.Subject, m.Tags, m.Size, m.Credential);
        }

        return Command(InsertMessages, id, receivedAt, sender, domain, subject, tags, size, credential);
    }

    private static NpgsqlBatchCommand Recipients(Dictionary<(string MessageId, string Address), IndexRecipientRow>.ValueCollection recipients)
    {
        var n = recipients.Count;
        var messageId = new string[n];
        var address = new string[n];
        var state = new string[n];
        var reply = new string?[n];
        var updatedAt = new long[n];
        var heldFor = new string?[n];
        var i = 0;
        foreach (var r in recipients)
        {
            (messageId[i], address[i], state[i], reply[i], updatedAt[i], heldFor[i]) = (r.MessageId, r.Address, r.State, r.Reply, r.UpdatedAt, r.HeldFor);
            i++;
        }

        return Command(UpsertRecipients, messageId, address, state, reply, updatedAt, heldFor);
    }

    private static NpgsqlBatchCommand Stats(Dictionary<IndexStatsKey, long[]> stats)
    {
        var n = stats.Count;
        var hour = new long[n];
        var domain = new string[n];
        var tag = new string[n];
        var counts = new long[IndexBatch.Counters.Length][];
        for (var c = 0; c < counts.Length; c++)
        {
            counts[c] = new long[n];
        }

        var i = 0;
        foreach (var (key, values) in stats)
        {
            (hour[i], domain[i], tag[i]) = (key.Hour, key.SenderDomain, key.Tag);
            for (var c = 0; c < values.Length; c++)
            {
                counts[c][i] = values[c];
            }

            i++;
        }

        var arrays = new object[3 + counts.Length];
        (arrays[0], arrays[1], arrays[2]) = (hour, domain, tag);
        Array.Copy(counts, 0, arrays, 3, counts.Length);
        return Command(AddStats, arrays);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] arrays)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var array in arrays)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = array });
        }

        return command;
    }
}
