using System.Data.Common;

namespace Sluice.Core.Events;

/// <summary>The parts of the index's writes that both databases say the same way.</summary>
public static class IndexStatements
{
    /// <summary>The event columns in the order a session gives them.</summary>
    public const string EventColumns = "time, type, message_id, recipient, site, remote_mta, attempt, reply, classification, duration_ms, queued_ms, source, sender";

    public const string MessageColumns = "id, received_at, sender, sender_domain, subject, tags, size, credential";

    /// <summary>
    /// A recipient's newest state wins, whichever node indexes it first (an older one never
    /// overwrites it); a state without a reply keeps the one before. A reception (<c>queued</c>)
    /// only ever creates the row: in a cluster the node that delivers may try a message before the
    /// node that took it has even written its reception, so by the clocks the outcome can look older.
    /// </summary>
    public const string RecipientConflict = """
        ON CONFLICT (message_id, address) DO UPDATE SET state = excluded.state, reply = coalesce(excluded.reply, recipients.reply), updated_at = excluded.updated_at, held_for = excluded.held_for
        WHERE excluded.state <> 'queued' AND (recipients.state = 'queued' OR recipients.updated_at <= excluded.updated_at)
        """;

    /// <summary>An operator's delete: what was still to settle will not be (a newer state, if some node indexed one first, stays).</summary>
    public const string DeletedState = "deleted";

    /// <summary>The SET of an operator's delete at <paramref name="at"/> (each database's parameter or column).</summary>
    public static string DeletedSet(string at) => $"SET state = '{DeletedState}', held_for = NULL, updated_at = {at}";

    /// <summary>The recipients an operator's delete of message <paramref name="id"/> at <paramref name="at"/> ends: those still to settle, and not changed since.</summary>
    public static string DeletedWhere(string id, string at) => $"WHERE message_id = {id} AND state IN ({EventNames.PendingStatesSql}) AND updated_at <= {at}";

    /// <summary>The SET of a release at <paramref name="at"/>: queued again.</summary>
    public static string ReleasedSet(string at) => $"SET state = 'queued', held_for = NULL, updated_at = {at}";

    /// <summary>
    /// The recipients a release of the hold key <paramref name="key"/> at <paramref name="at"/> sets
    /// queued again: those held under it, and not since (a hold indexed later is a newer one).
    /// </summary>
    public static string ReleasedWhere(string key, string at) => $"WHERE state = '{EventNames.HeldState}' AND held_for = {key} AND updated_at <= {at}";

    public static readonly string StatsColumns = string.Join(", ", IndexBatch.Counters);

    /// <summary>Counts are added to the row of the same hour, domain and tag.</summary>
    public static readonly string StatsConflict = "ON CONFLICT (hour, sender_domain, tag) DO UPDATE SET "
        + string.Join(", ", Array.ConvertAll(IndexBatch.Counters, c => $"{c} = stats.{c} + excluded.{c}"));

    /// <summary>Deletes what is older than the index keeps, a chunk at a time (short transactions beside the writers).</summary>
    public static (long Events, long Messages) Prune(DbCommand command, DateTimeOffset oldest, DateTimeOffset statsOldest)
    {
        ArgumentNullException.ThrowIfNull(command);
        long events = 0, messages = 0;
        Parameter(command, "t", oldest.ToUnixTimeMilliseconds());
        Parameter(command, "h", statsOldest.ToUnixTimeSeconds() / 3600);
        command.CommandText = "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < @t ORDER BY seq LIMIT 5000)";
        for (int n; (n = command.ExecuteNonQuery()) > 0;)
        {
            events += n;
        }

        // Recipients go with their message. (A late event about a pruned message — feedback — leaves a
        // recipient row without one; rare, and finding them would scan the table every hour.)
        command.CommandText = "DELETE FROM recipients WHERE message_id IN (SELECT id FROM messages WHERE received_at < @t LIMIT 5000)";
        for (int n; (n = command.ExecuteNonQuery()) > 0;)
        {
            messages += n;
        }

        command.CommandText = "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE received_at < @t LIMIT 5000)";
        for (int n; (n = command.ExecuteNonQuery()) > 0;)
        {
            messages += n;
        }

        command.CommandText = "DELETE FROM stats WHERE hour < @h";
        command.ExecuteNonQuery();
        return (events, messages);
    }

    private static void Parameter(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
