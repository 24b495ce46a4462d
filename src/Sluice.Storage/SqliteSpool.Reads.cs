using Microsoft.Data.Sqlite;
using Sluice.Core.Messages;
using Sluice.Core.Queue;

namespace Sluice.Storage;

public sealed partial class SqliteSpool
{
    public async ValueTask<Stream?> OpenContentAsync(MessageId id, CancellationToken cancellationToken)
    {
        if (_hot.TryOpen(id) is { } hot)
        {
            return hot;
        }

        // A second look only when the row pointed into a segment that was gone by the time it was
        // opened: the body moved into the database meanwhile (a deferral), or the message went.
        for (var look = 0; look < 2; look++)
        {
            var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
            long seq;
            BodyLocation? location = null;
            long length = 0;
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT seq, body_segment, body_offset, size FROM messages WHERE id = $id";
                command.Parameters.AddWithValue("$id", id.Value);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    return null;
                }

                seq = reader.GetInt64(0);
                if (!reader.IsDBNull(1))
                {
                    location = new BodyLocation(reader.GetInt64(1), reader.GetInt64(2));
                    length = reader.GetInt64(3);
                }
            }

            if (location is null)
            {
                return new OwningStream(new SqliteBlob(connection, "bodies", "data", seq, readOnly: true), connection);
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            if (_bodies.OpenRead(location.Value, length) is { } stream)
            {
                return stream;
            }
        }

        return null;
    }

    public async ValueTask<QueueEntry?> GetAsync(MessageId id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SpoolRows.Columns} FROM messages WHERE id = $id";
        command.Parameters.AddWithValue("$id", id.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? SpoolRows.Read(reader) : null;
    }

    public async ValueTask<QueueSummary> GetSummaryAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);

        // One read transaction so the three counts describe the same instant.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var byState = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT state, COUNT(*) FROM messages GROUP BY state";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var count = reader.GetInt64(1);
                byState[QueueStateNames.Name((QueueMessageState)reader.GetInt32(0))] = count;
                total += count;
            }
        }

        var byDomain = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT domain, COUNT(*) FROM message_domains GROUP BY domain ORDER BY COUNT(*) DESC";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                byDomain[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        DateTimeOffset? oldest = null;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT MIN(received_at) FROM messages";
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long ms)
            {
                oldest = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }
        }

        return new QueueSummary(total, byState, byDomain, oldest);
    }

    public ValueTask<QueuePage> ListAsync(int limit, string? cursor, CancellationToken cancellationToken)
        => ListAsync(limit, cursor, QueueFilter.All, cancellationToken);

    public async ValueTask<QueuePage> ListAsync(int limit, string? cursor, QueueFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var where = FilterSql.Where(filter, command);
        command.CommandText = $"SELECT {SpoolRows.Columns} FROM messages AS m WHERE m.id > $cursor AND {where} ORDER BY m.id LIMIT $limit";
        command.Parameters.AddWithValue("$cursor", cursor ?? string.Empty);
        command.Parameters.AddWithValue("$limit", limit + 1);
        var items = new List<QueueEntry>(Math.Min(limit + 1, 1024));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(SpoolRows.Read(reader));
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(items.Count - 1);
            next = items[^1].Id.Value;
        }

        return new QueuePage(items, next);
    }

    public async ValueTask<bool> IsWritableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _stopping) == 1)
        {
            return false;
        }

        // Writable means the folder takes a new file and the database opens for writing.
        try
        {
            var probe = Path.Combine(_options.Directory, ".ready-probe");
            await File.WriteAllBytesAsync(probe, [1], cancellationToken).ConfigureAwait(false);
            File.Delete(probe);
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SqliteException)
        {
            return false;
        }
    }

    /// <summary>Counts by state for the metrics scrape, cached for 15 s so a deep queue is not counted on every scrape.</summary>
    private List<System.Diagnostics.Metrics.Measurement<long>> DepthByState()
    {
        var now = _time.GetUtcNow();
        // A reference swap, so concurrent scrapes see a whole snapshot or the previous one.
        var cached = Volatile.Read(ref _byState);
        if (cached is not null && now - cached.Item1 < TimeSpan.FromSeconds(15))
        {
            return cached.Item2;
        }

        var counts = new Dictionary<QueueMessageState, long> { [QueueMessageState.Queued] = 0, [QueueMessageState.InFlight] = 0, [QueueMessageState.DeadLetter] = 0 };
        try
        {
            using var connection = new SqliteConnection(_readConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT state, COUNT(*) FROM messages GROUP BY state";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                counts[(QueueMessageState)reader.GetInt32(0)] = reader.GetInt64(1);
            }
        }
        catch (SqliteException)
        {
            return cached?.Item2 ?? [];
        }

        var values = counts.Select(c => new System.Diagnostics.Metrics.Measurement<long>(c.Value, new KeyValuePair<string, object?>("state", QueueStateNames.Name(c.Key)))).ToList();
        Volatile.Write(ref _byState, Tuple.Create(now, values));
        return values;
    }


    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
