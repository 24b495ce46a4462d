using Sluice.Core.State;
using Sluice.Storage.State;
using Sluice.Testing;

namespace Sluice.Storage.Tests;

public sealed class SqliteStateStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ApiKey_AddFindRevoke_RoundTripsWithoutTheSecret()
    {
        var store = SqliteStateStore.Open(_dir.Path);
        var (token, id, hash) = ApiKeyToken.Create();
        await store.AddAsync(new ApiKey(id, "ci", ApiScopes.Send | ApiScopes.Read, Now, RequestsPerSecond: 5), hash, CancellationToken.None);

        var found = await store.FindAsync(id, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal("ci", found.Value.Key.Name);
        Assert.Equal(ApiScopes.Send | ApiScopes.Read, found.Value.Key.Scopes);
        Assert.Equal(5, found.Value.Key.RequestsPerSecond);
        Assert.True(ApiKeyToken.Verify(ApiKeyToken.Parse(token)!.Value.Secret, found.Value.SecretHash));
        Assert.DoesNotContain(ApiKeyToken.Parse(token)!.Value.Secret, found.Value.SecretHash, StringComparison.Ordinal);
        Assert.True(await store.RevokeAsync(id, Now, CancellationToken.None));
        Assert.False(await store.RevokeAsync(id, Now, CancellationToken.None));
        Assert.True((await store.FindAsync(id, CancellationToken.None))!.Value.Key.IsRevoked);
        Assert.Single(await store.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RecordSoftBounceAsync_CountsWithinTheWindowOnly()
    {
        var store = SqliteStateStore.Open(_dir.Path);
        var window = TimeSpan.FromDays(7);
        Assert.Equal(1, await store.RecordSoftBounceAsync("full@example.test", Now, Now - window, CancellationToken.None));
        Assert.Equal(1, await store.RecordSoftBounceAsync("other@example.test", Now, Now - window, CancellationToken.None));
        Assert.Equal(2, await store.RecordSoftBounceAsync("FULL@example.test", Now.AddDays(3), Now.AddDays(3) - window, CancellationToken.None));

        // Eight days on, the first has left the window.
        Assert.Equal(2, await store.RecordSoftBounceAsync("full@example.test", Now.AddDays(8), Now.AddDays(8) - window, CancellationToken.None));
        await store.ClearSoftBouncesAsync("full@example.test", CancellationToken.None);
        Assert.Equal(1, await store.RecordSoftBounceAsync("full@example.test", Now.AddDays(8), Now.AddDays(8) - window, CancellationToken.None));
    }

    [Fact]
    public void ApiKeyToken_WrongSecretOrShape_DoesNotVerify()
    {
        var (token, _, hash) = ApiKeyToken.Create();
        var (_, secret) = ApiKeyToken.Parse(token)!.Value;

        Assert.False(ApiKeyToken.Verify(secret + "x", hash));
        Assert.Null(ApiKeyToken.Parse("Bearer " + token));
        Assert.Null(ApiKeyToken.Parse("sk_nosecret"));
        Assert.Null(ApiKeyToken.Parse("sk_id_"));
    }

    [Fact]
    public async Task Idempotency_ConcurrentReservations_ExactlyOneWins()
    {
        var store = SqliteStateStore.Open(_dir.Path);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            store.TryReserveAsync("k1", "retry-me", "hash-a", Now, Now.AddHours(24), CancellationToken.None))));

        Assert.Single(results, r => r is null);
        Assert.All(results.Where(r => r is not null), r => Assert.Null(r!.Status));
    }

    [Fact]
    public async Task Idempotency_Completed_ReturnsTheAnswerUntilItExpires()
    {
        var store = SqliteStateStore.Open(_dir.Path);
        Assert.Null(await store.TryReserveAsync("k1", "once", "hash-a", Now, Now.AddHours(24), CancellationToken.None));
        await store.CompleteAsync("k1", "once", 202, "{\"id\":\"x\"}", CancellationToken.None);

        var again = await store.TryReserveAsync("k1", "once", "hash-a", Now.AddHours(1), Now.AddHours(25), CancellationToken.None);
        var otherKey = await store.TryReserveAsync("k2", "once", "hash-a", Now.AddHours(1), Now.AddHours(25), CancellationToken.None);
        var afterExpiry = await store.TryReserveAsync("k1", "once", "hash-b", Now.AddHours(25), Now.AddHours(49), CancellationToken.None);

        Assert.Equal(new IdempotencyRecord("hash-a", 202, "{\"id\":\"x\"}"), again);
        Assert.Null(otherKey);
        Assert.Null(afterExpiry);
    }

    [Fact]
    public async Task Idempotency_Released_LetsTheRetryRun()
    {
        var store = SqliteStateStore.Open(_dir.Path);
        Assert.Null(await store.TryReserveAsync("k1", "failed", "hash-a", Now, Now.AddHours(24), CancellationToken.None));

        await store.ReleaseAsync("k1", "failed", CancellationToken.None);

        Assert.Null(await store.TryReserveAsync("k1", "failed", "hash-a", Now, Now.AddHours(24), CancellationToken.None));
    }
}
