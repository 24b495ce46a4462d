using Microsoft.Data.Sqlite;
using Sluice.Core.Queue;

namespace Sluice.Storage;

/// <summary>The WHERE clause of a <see cref="QueueFilter"/> over <c>messages m</c>, with its parameters.</summary>
internal static class FilterSql
{
    public static string Where(QueueFilter filter, SqliteCommand command)
    {
        var clauses = new List<string>();
        if (filter.Id is { } id)
        {
            clauses.Add("m.id = $fid");
            command.Parameters.AddWithValue("$fid", id.Value);
        }

        if (filter.Domain is { } domain)
        {
            clauses.Add("EXISTS (SELECT 1 FROM message_domains d WHERE d.seq = m.seq AND d.domain = $fdomain)");
            command.Parameters.AddWithValue("$fdomain", domain.ToLowerInvariant());
        }

        if (filter.State is { } state)
        {
            clauses.Add("m.state = $fstate");
            command.Parameters.AddWithValue("$fstate", (int)state);
        }

        return clauses.Count == 0 ? "1 = 1" : string.Join(" AND ", clauses);
    }
}
