using Dapper;

namespace Sluice.Core.State;

public sealed partial class SqlStateStore
{
    /// <summary>Up to this many addresses are announced one by one; a larger import asks every node to reload its list.</summary>
    private const int AnnouncedOneByOne = 100;

    private const string SuppressionColumns = "address, scope, reason, created_at AS CreatedAt, expires_at AS ExpiresAt";

    public Task UpsertAsync(IReadOnlyCollection<Suppression> suppressions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(suppressions);
        var rows = suppressions.Select(s => new
        {
            Address = s.Address.ToLowerInvariant(),
            Scope = s.Scope?.ToLowerInvariant() ?? string.Empty,
            Reason = (long)s.Reason,
            CreatedAt = Millis(s.CreatedAt),
            ExpiresAt = s.ExpiresAt is { } expires ? Millis(expires) : (long?)null,
        }).ToList();
        IReadOnlyList<StateChange> changes = rows.Count <= AnnouncedOneByOne
            ? [.. rows.Select(r => r.Address).Distinct(StringComparer.Ordinal).Select(a => new StateChange(StateChangeKind.Suppression, a))]
            : [new StateChange(StateChangeKind.Suppressions, string.Empty)];
        return WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO suppressions (address, scope, reason, created_at, expires_at) VALUES (@Address, @Scope, @Reason, @CreatedAt, @ExpiresAt)
                ON CONFLICT (address, scope) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at, expires_at = excluded.expires_at
                """,
                rows,
                transaction,
                cancellationToken: cancellationToken)),
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
