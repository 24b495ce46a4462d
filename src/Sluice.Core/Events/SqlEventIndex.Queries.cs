using System.Globalization;
using System.Text;
using Dapper;

namespace Sluice.Core.Events;

public sealed partial class SqlEventIndex
{
    private const string EventColumns = "e.seq AS Seq, e.time AS Time, e.type AS Type, e.message_id AS MessageId, e.recipient AS Recipient, e.site AS Site, e.remote_mta AS RemoteMta, e.attempt AS Attempt, e.reply AS Reply, e.classification AS Classification, e.duration_ms AS DurationMs, e.queued_ms AS QueuedMs, e.source AS Source, coalesce(e.sender, m.sender) AS Sender, m.subject AS Subject, m.tags AS Tags, m.size AS Size";

    public async Task<IndexedMessage?> GetAsync(string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<MessageRow>(new CommandDefinition(
            "SELECT id AS Id, received_at AS ReceivedAt, sender AS Sender, subject AS Subject, tags AS Tags, size AS Size, credential AS Credential FROM messages WHERE id = @messageId", new { messageId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var recipients = await RecipientsAsync(connection, [row.Id], null, cancellationToken).ConfigureAwait(false);
        return row.ToMessage(recipients.GetValueOrDefault(row.Id) ?? []);
    }

    public async Task<IReadOnlyList<PendingMessage>> PendingAsync(PendingQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var args = new DynamicParameters();
        args.Add("since", query.Since.ToUnixTimeMilliseconds());
        args.Add("limit", Math.Clamp(query.Limit, 1, 1000));
        args.Add("admin", (int)DeliveryEventType.AdminAction);
        var where = new StringBuilder($"r.state IN ({EventNames.PendingStatesSql})");
        if (query.After is not null)
        {
            where.Append(" AND r.message_id > @after");
            args.Add("after", query.After);
        }

        if (query.Id is not null)
        {
            where.Append(" AND r.message_id = @id");
            args.Add("id", query.Id);
        }

        // Driven by the recipients still pending (a small part of the index, found through
        // recipients_pending); an operator's delete or bounce of a message is an event of its own.
        // One snapshot for the three reads: another node's batch committed between them would pair
        // a recipient's old state with its new attempt count.
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<MessageRow>(new CommandDefinition(
            $"""
            SELECT m.id AS Id, m.received_at AS ReceivedAt, m.sender AS Sender, m.subject AS Subject, m.tags AS Tags, m.size AS Size, m.credential AS Credential
            FROM messages m
            WHERE m.id IN (SELECT r.message_id FROM recipients r WHERE {where})
              AND m.received_at >= @since
              AND NOT EXISTS (SELECT 1 FROM events e WHERE e.message_id = m.id AND e.type = @admin AND e.classification IN ('delete', 'bounce'))
            ORDER BY m.id LIMIT @limit
            """,
            args,
            snapshot,
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.ConvertAll(r => r.Id);
        var recipients = await RecipientsAsync(connection, ids, snapshot, cancellationToken).ConfigureAwait(false);
        var attempts = new Dictionary<string, long>(StringComparer.Ordinal);
        var (list, listArgs) = InList(ids);
        foreach (var (id, most) in await connection.QueryAsync<(string, long)>(new CommandDefinition(
            $"SELECT message_id, max(attempt) FROM events WHERE message_id IN ({list}) GROUP BY message_id",
            listArgs,
            snapshot,
            cancellationToken: cancellationToken)).ConfigureAwait(false))
        {
            attempts[id] = most;
        }

        return rows.ConvertAll(r => new PendingMessage(r.ToMessage(recipients.GetValueOrDefault(r.Id) ?? []), (int)attempts.GetValueOrDefault(r.Id)));
    }

    public async Task<IReadOnlyList<DeliveryEvent>> TimelineAsync(string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            $"SELECT {EventColumns} FROM events e LEFT JOIN messages m ON m.id = e.message_id WHERE e.message_id = @messageId ORDER BY CASE WHEN e.type = @reception THEN 0 ELSE 1 END, e.time, e.seq", new { messageId, reception = (int)DeliveryEventType.Reception }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToEvent()).ToList();
    }

    public async Task<MessagePage> SearchAsync(MessageQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new StringBuilder("1 = 1");
        var args = new DynamicParameters();
        if (query.Recipient is { Length: > 0 } recipient)
        {
            where.Append(" AND m.id IN (SELECT message_id FROM recipients WHERE address = @recipient)");
            args.Add("recipient", recipient);
        }

        if (query.Sender is { Length: > 0 } sender)
        {
            if (sender.StartsWith('@'))
            {
                where.Append(" AND m.sender_domain = @domain");
                args.Add("domain", sender[1..]);
            }
            else
            {
                where.Append(" AND m.sender = @sender");
                args.Add("sender", sender);
            }
        }

        if (query.Subject is { Length: > 0 } subject)
        {
            // LIKE on lower-cased text, the wildcards in what is asked for escaped: a part of the subject in any case, in both databases.
            where.Append(" AND lower(m.subject) LIKE lower(@subject) ESCAPE '\\'");
            args.Add("subject", Contains(subject));
        }

        if (query.Tag is { Length: > 0 } tag)
        {
            where.Append(" AND lower(m.tags) LIKE lower(@tag) ESCAPE '\\'");
            args.Add("tag", Contains(IndexTags.Needle(tag)));
        }

        if (query.State is { Length: > 0 } state)
        {
            where.Append(" AND EXISTS (SELECT 1 FROM recipients r WHERE r.message_id = m.id AND r.state = @state)");
            args.Add("state", state);
        }

        if (query.From is { } from)
        {
            where.Append(" AND m.received_at >= @from");
            args.Add("from", from.ToUnixTimeMilliseconds());
        }

        if (query.To is { } to)
        {
            where.Append(" AND m.received_at < @to");
            args.Add("to", to.ToUnixTimeMilliseconds());
        }

        if (query.Before is { } before)
        {
            where.Append(" AND (m.received_at < @beforeTime OR (m.received_at = @beforeTime AND m.id < @beforeId))");
            args.Add("beforeTime", before.ReceivedAtMs);
            args.Add("beforeId", before.Id);
        }

        var limit = Math.Clamp(query.Limit, 1, 500);
        args.Add("limit", limit + 1);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<MessageRow>(new CommandDefinition(
            $"SELECT m.id AS Id, m.received_at AS ReceivedAt, m.sender AS Sender, m.subject AS Subject, m.tags AS Tags, m.size AS Size, m.credential AS Credential FROM messages m WHERE {where} ORDER BY m.received_at DESC, m.id DESC LIMIT @limit",
            args,
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var more = rows.Count > limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }

        var recipients = await RecipientsAsync(connection, rows.ConvertAll(r => r.Id), null, cancellationToken).ConfigureAwait(false);
        var messages = rows.ConvertAll(r => r.ToMessage(recipients.GetValueOrDefault(r.Id) ?? []));
        return new MessagePage(messages, more ? new MessageCursor(rows[^1].ReceivedAt, rows[^1].Id) : null);
    }

    public async Task<IReadOnlyList<StatsRow>> StatsAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var hours = query.Interval == StatsInterval.Day ? 24 : 1;
        var group = query.By switch
        {
            StatsBreakdown.SenderDomain => "sender_domain",
            StatsBreakdown.Tag => "tag",
            _ => "NULL",
        };
        var where = new StringBuilder("hour >= @from AND hour < @to");
        where.Append(query.By == StatsBreakdown.Tag || query.Tag is not null ? " AND tag <> ''" : " AND tag = ''");
        if (query.Tag is not null)
        {
            where.Append(" AND tag = @tag");
        }

        if (query.SenderDomain is not null)
        {
            where.Append(" AND sender_domain = @domain");
        }

        var sql = string.Create(CultureInfo.InvariantCulture, $"""
            SELECT (hour / {hours}) * {hours} AS Bucket, {group} AS Part,
                   sum(received) AS Received, sum(delivered) AS Delivered, sum(deferred) AS Deferred, sum(bounced) AS Bounced,
                   sum(expired) AS Expired, sum(suppressed) AS Suppressed, sum(complained) AS Complained, sum(unsubscribed) AS Unsubscribed
            FROM stats WHERE {where}
            GROUP BY Bucket, Part ORDER BY Bucket, Part
            """);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<StatsDbRow>(new CommandDefinition(
            sql,
            new { from = query.From.ToUnixTimeSeconds() / 3600, to = (query.To.ToUnixTimeSeconds() + 3599) / 3600, tag = query.Tag, domain = query.SenderDomain },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new StatsRow(
            DateTimeOffset.FromUnixTimeSeconds(r.Bucket * 3600),
            query.By == StatsBreakdown.SenderDomain ? r.Part : query.SenderDomain,
            query.By == StatsBreakdown.Tag ? r.Part : query.Tag,
            r.Received,
            r.Delivered,
            r.Deferred,
            r.Bounced,
            r.Expired,
            r.Suppressed,
            r.Complained,
            r.Unsubscribed)).ToList();
    }

    public async Task<IReadOnlyList<ReasonCount>> TopReasonsAsync(DeliveryEventType type, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ReasonRow>(new CommandDefinition(
            """
            SELECT coalesce(classification, '') AS Classification, count(*) AS Count, max(reply) AS ExampleReply
            FROM events WHERE type = @type AND time >= @from AND time < @to
            GROUP BY Classification ORDER BY Count DESC LIMIT @limit
            """,
            new { type = (int)type, from = since.ToUnixTimeMilliseconds(), to = until.ToUnixTimeMilliseconds(), limit = Math.Clamp(limit, 1, 100) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new ReasonCount(r.Classification, r.Count, r.ExampleReply)).ToList();
    }

    public async Task<(IReadOnlyList<IndexedEvent> Events, long ReadTo)> ReadAfterAsync(long after, int typeMask, int limit, CancellationToken cancellationToken)
    {
        // In a shared database the newest committed event bounds the read: every node commits under
        // one lock, so an event committed later has a higher number than any visible now (ADR 0035).
        var high = await LastSequenceAsync(cancellationToken).ConfigureAwait(false);
        if (high <= after)
        {
            return ([], after);
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<EventRow>(new CommandDefinition(
            $"SELECT {EventColumns} FROM events e LEFT JOIN messages m ON m.id = e.message_id WHERE e.seq > @after AND e.seq <= @high AND ((1 << e.type) & @typeMask) <> 0 ORDER BY e.seq LIMIT @limit",
            new { after, high, typeMask, limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var readTo = rows.Count == limit ? rows[^1].Seq : high;
        return (rows.ConvertAll(r => new IndexedEvent(r.Seq, r.ToEvent())), readTo);
    }

    private static async Task<Dictionary<string, List<IndexedRecipient>>> RecipientsAsync(System.Data.Common.DbConnection connection, List<string> ids, System.Data.Common.DbTransaction? transaction, CancellationToken cancellationToken)
    {
        var byMessage = new Dictionary<string, List<IndexedRecipient>>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return byMessage;
        }

        var (inList, args) = InList(ids);
        var rows = await connection.QueryAsync<RecipientRow>(new CommandDefinition(
            $"SELECT message_id AS MessageId, address AS Address, state AS State, reply AS Reply, updated_at AS UpdatedAt FROM recipients WHERE message_id IN ({inList}) ORDER BY address",
            args,
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var r in rows)
        {
            if (!byMessage.TryGetValue(r.MessageId, out var list))
            {
                byMessage[r.MessageId] = list = [];
            }

            list.Add(new IndexedRecipient(r.Address, r.State, r.Reply, DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAt)));
        }

        return byMessage;
    }

    /// <summary>A parameter per id, spelled out: Dapper would expand a list for SQLite but pass an array to PostgreSQL.</summary>
    private static (string List, DynamicParameters Args) InList(List<string> ids)
    {
        var args = new DynamicParameters();
        var names = new string[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            names[i] = string.Create(CultureInfo.InvariantCulture, $"@id{i}");
            args.Add(names[i][1..], ids[i]);
        }

        return (string.Join(", ", names), args);
    }

    /// <summary>A LIKE pattern for text containing <paramref name="part"/>, its own wildcards escaped.</summary>
    private static string Contains(string part)
        => "%" + part.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    private Task<System.Data.Common.DbConnection> OpenAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken).AsTask();

    private sealed class MessageRow
    {
        public string Id { get; set; } = string.Empty;

        public long ReceivedAt { get; set; }

        public string Sender { get; set; } = string.Empty;

        public string? Subject { get; set; }

        public string Tags { get; set; } = string.Empty;

        public long Size { get; set; }

        public string? Credential { get; set; }

        public IndexedMessage ToMessage(List<IndexedRecipient> recipients)
            => new(Id, DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAt), Sender, Subject, IndexTags.Split(Tags), Size, IndexedMessage.Summarize(recipients), recipients, Credential);
    }

    private sealed class RecipientRow
    {
        public string MessageId { get; set; } = string.Empty;

        public string Address { get; set; } = string.Empty;

        public string State { get; set; } = string.Empty;

        public string? Reply { get; set; }

        public long UpdatedAt { get; set; }
    }

    private sealed class StatsDbRow
    {
        public long Bucket { get; set; }

        public string? Part { get; set; }

        public long Received { get; set; }

        public long Delivered { get; set; }

        public long Deferred { get; set; }

        public long Bounced { get; set; }

        public long Expired { get; set; }

        public long Suppressed { get; set; }

        public long Complained { get; set; }

        public long Unsubscribed { get; set; }
    }

    private sealed class ReasonRow
    {
        public string Classification { get; set; } = string.Empty;

        public long Count { get; set; }

        public string? ExampleReply { get; set; }
    }

    private sealed class EventRow
    {
        public long Seq { get; set; }

        public long Time { get; set; }

        public long Type { get; set; }

        public string MessageId { get; set; } = string.Empty;

        public string? Recipient { get; set; }

        public string? Site { get; set; }

        public string? RemoteMta { get; set; }

        public long Attempt { get; set; }

        public string? Reply { get; set; }

        public string? Classification { get; set; }

        public double? DurationMs { get; set; }

        public double? QueuedMs { get; set; }

        public string? Source { get; set; }

        public string? Sender { get; set; }

        public string? Subject { get; set; }

        public string? Tags { get; set; }

        public long? Size { get; set; }

        public DeliveryEvent ToEvent() => new(
            DateTimeOffset.FromUnixTimeMilliseconds(Time),
            (DeliveryEventType)Type,
            MessageId,
            Recipient,
            Site,
            RemoteMta,
            (int)Attempt,
            Reply,
            Classification,
            DurationMs,
            Source,
            QueuedMs,
            Sender,
            Subject,
            Tags is null ? null : IndexTags.Split(Tags),
            Size);
    }
}
