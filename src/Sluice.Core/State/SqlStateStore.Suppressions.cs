using Dapper;

namespace Sluice.Core.State;

public sealed partial class SqlStateStore
{
    /// <summary>Up to this many addresses are announced one by one; a larger import asks every node to reload its list.</summary>
    private const int AnnouncedOneByOne = 100;

    private const string SuppressionColumns = "address, scope, reason, created_at AS CreatedAt, expires_at AS ExpiresAt";

    /// <summary>Rows per statement of a bulk upsert (five parameters each: well under both databases' limits).</summary>
    private const int UpsertChunk = 500;

    /// <summary>
    /// Adds or replaces suppressions in one transaction, a multi-row statement per 500 (a 100,000-row
    /// import is 200 statements, not 100,000 round trips). An address and scope given twice counts
    /// once, the later one winning (one statement may not meet a row twice).
    /// </summary>
    public Task UpsertAsync(IReadOnlyCollection<Suppression> suppressions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(suppressions);
        var byKey = new Dictionary<(string Address, string Scope), Suppression>();
        foreach (var s in suppressions)
        {
            byKey[(s.Address.ToLowerInvariant(), s.Scope?.ToLowerInvariant() ?? string.Empty)] = s;
        }

        var rows = byKey.ToList();
        IReadOnlyList<StateChange> changes = rows.Count <= AnnouncedOneByOne
            ? [.. rows.Select(r => r.Key.Address).Distinct(StringComparer.Ordinal).Select(a => new StateChange(StateChangeKind.Suppression, a))]
            : [new StateChange(StateChangeKind.Suppressions, string.Empty)];
        return WriteAsync(
            async (connection, transaction) =>
            {
                var written = 0;
                for (var start = 0; start < rows.Count; start += UpsertChunk)
                {
                    var count = Math.Min(UpsertChunk, rows.Count - start);
                    var args = new DynamicParameters();
                    var values = new System.Text.StringBuilder();
                    for (var i = 0; i < count; i++)
                    {
                        var ((address, scope), s) = rows[start + i];
                        values.Append(i == 0 ? "" : ", ").Append(System.Globalization.CultureInfo.InvariantCulture, $"(@a{i}, @s{i}, @r{i}, @c{i}, @e{i})");
                        args.Add($"a{i}", address);
                        args.Add($"s{i}", scope);
                        args.Add($"r{i}", (long)s.Reason);
                        args.Add($"c{i}", Millis(s.CreatedAt));
                        args.Add($"e{i}", s.ExpiresAt is { } expires ? Millis(expires) : (long?)null);
                    }

                    written += await connection.ExecuteAsync(new CommandDefinition(
                        $"""
                        INSERT INTO suppressions (address, scope, reason, created_at, expires_at) VALUES {values}
                        ON CONFLICT (address, scope) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at, expires_at = excluded.expires_at
                        """,
                        args,
                        transaction,
                        cancellationToken: cancellationToken)).ConfigureAwait(false);
                }

                return written;
            },
            changes,
            cancellationToken);
    }

    public async Task<bool> RemoveSuppressionAsync(string address, string? scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var lower = address.ToLowerInvariant();
        return await WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM suppressions WHERE address = @address AND scope = @scope",
                new { address = lower, scope = scope?.ToLowerInvariant() ?? string.Empty },
                transaction,
                cancellationToken: cancellationToken)),
            new StateChange(StateChangeKind.Suppression, lower),
            cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <param name="after">The cursor of the last entry of the previous page: address, U+0001, scope.</param>
    public async Task<IReadOnlyList<Suppression>> ListSuppressionsAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        var separator = after?.IndexOf('\u0001', StringComparison.Ordinal) ?? -1;
        var (address, scope) = after is null ? (string.Empty, string.Empty)
            : separator < 0 ? (after, string.Empty)
            : (after[..separator], after[(separator + 1)..]);
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SuppressionRow>(new CommandDefinition(
            $"SELECT {SuppressionColumns} FROM suppressions WHERE (address, scope) > (@address, @scope) ORDER BY address, scope LIMIT @limit",
            new { address, scope, limit = (long)limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToSuppression())];
    }

    public async Task<IReadOnlyList<Suppression>> FindSuppressionsAsync(string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        await using var connection = await _open(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SuppressionRow>(new CommandDefinition(
            $"SELECT {SuppressionColumns} FROM suppressions WHERE address = @address ORDER BY scope",
            new { address = address.ToLowerInvariant() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToSuppression())];
    }

    private sealed class SuppressionRow
    {
        public string Address { get; set; } = string.Empty;

        public string Scope { get; set; } = string.Empty;

        public long Reason { get; set; }

        public long CreatedAt { get; set; }

        public long? ExpiresAt { get; set; }

        public Suppression ToSuppression() => new(
            Address,
            Scope.Length == 0 ? null : Scope,
            (SuppressionReason)Reason,
            At(CreatedAt),
            ExpiresAt is { } expires ? At(expires) : null);
    }
}
