using Sluice.Core.State;

namespace Sluice.Testing.Contracts;

/// <summary>
/// What every state store must do, run against each database that holds one: the embedded
/// state.db and a cluster's PostgreSQL (ADR 0032). A derived class opens a fresh, empty store.
/// </summary>
public abstract class StateStoreContract
{
    protected static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<SqlStateStore> OpenAsync();

    [Fact]
    public async Task ApiKey_AddFindRevoke_RoundTripsWithoutTheSecret()
    {
        var store = await OpenAsync();
        var (token, id, hash) = ApiKeyToken.Create();
        await store.AddAsync(new ApiKey(id, "ci", ApiScopes.Send | ApiScopes.Read, Now, RequestsPerSecond: 5, StrictValidation: true), hash, CancellationToken.None);

        var found = await store.FindAsync(id, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal("ci", found.Value.Key.Name);
        Assert.Equal(ApiScopes.Send | ApiScopes.Read, found.Value.Key.Scopes);
        Assert.Equal(5, found.Value.Key.RequestsPerSecond);
        Assert.True(found.Value.Key.StrictValidation);
        Assert.Equal(Now, found.Value.Key.CreatedAt);
        Assert.True(ApiKeyToken.Verify(ApiKeyToken.Parse(token)!.Value.Secret, found.Value.SecretHash));
        Assert.DoesNotContain(ApiKeyToken.Parse(token)!.Value.Secret, found.Value.SecretHash, StringComparison.Ordinal);
        Assert.True(await store.RevokeAsync(id, Now, CancellationToken.None));
        Assert.False(await store.RevokeAsync(id, Now, CancellationToken.None));
        Assert.True((await store.FindAsync(id, CancellationToken.None))!.Value.Key.IsRevoked);
        Assert.Single(await store.ListAsync(CancellationToken.None));
        Assert.Null(await store.FindAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task RecordSoftBounceAsync_CountsWithinTheWindowOnly()
    {
        var store = await OpenAsync();
        var window = TimeSpan.FromDays(7);
        Assert.Equal(1, await store.RecordSoftBounceAsync("full@example.test", Now, Now - window, CancellationToken.None));
        Assert.Equal(1, await store.RecordSoftBounceAsync("other@example.test", Now, Now - window, CancellationToken.None));
        Assert.Equal(2, await store.RecordSoftBounceAsync("FULL@example.test", Now.AddDays(3), Now.AddDays(3) - window, CancellationToken.None));

        // Eight days on, the first has left the window.
        Assert.Equal(2, await store.RecordSoftBounceAsync("full@example.test", Now.AddDays(8), Now.AddDays(8) - window, CancellationToken.None));
        await store.ClearSoftBouncesAsync("Full@Example.test", CancellationToken.None);
        Assert.Equal(1, await store.RecordSoftBounceAsync("full@example.test", Now.AddDays(8), Now.AddDays(8) - window, CancellationToken.None));
    }

    [Fact]
    public async Task Idempotency_ConcurrentReservations_ExactlyOneWins()
    {
        var store = await OpenAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
            store.TryReserveAsync("k1", "retry-me", "hash-a", Now, Now.AddHours(24), CancellationToken.None))));

        Assert.Single(results, r => r is null);
        Assert.All(results.Where(r => r is not null), r => Assert.Null(r!.Status));
    }

    [Fact]
    public async Task Idempotency_Completed_ReturnsTheAnswerUntilItExpires()
    {
        var store = await OpenAsync();
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
        var store = await OpenAsync();
        Assert.Null(await store.TryReserveAsync("k1", "failed", "hash-a", Now, Now.AddHours(24), CancellationToken.None));

        await store.ReleaseAsync("k1", "failed", CancellationToken.None);

        Assert.Null(await store.TryReserveAsync("k1", "failed", "hash-a", Now, Now.AddHours(24), CancellationToken.None));
    }

    [Fact]
    public async Task Suppressions_UpsertSameAddressAndScope_ReplacesAndKeepsOtherScopes()
    {
        var store = await OpenAsync();
        await store.UpsertAsync([new Suppression("Bob@Example.test", null, SuppressionReason.Bounce, Now, null), new Suppression("bob@example.test", "shop.example", SuppressionReason.Complaint, Now, null)], CancellationToken.None);

        await store.UpsertAsync([new Suppression("bob@example.test", null, SuppressionReason.Manual, Now.AddHours(1), Now.AddDays(30))], CancellationToken.None);
        var found = await store.FindSuppressionsAsync("BOB@example.test", CancellationToken.None);

        Assert.Equal(2, found.Count);
        Assert.Equal(new Suppression("bob@example.test", null, SuppressionReason.Manual, Now.AddHours(1), Now.AddDays(30)), found[0]);
        Assert.Equal(new Suppression("bob@example.test", "shop.example", SuppressionReason.Complaint, Now, null), found[1]);
        Assert.True(await store.RemoveSuppressionAsync("Bob@example.test", "SHOP.example", CancellationToken.None));
        Assert.False(await store.RemoveSuppressionAsync("bob@example.test", "shop.example", CancellationToken.None));
        Assert.Single(await store.FindSuppressionsAsync("bob@example.test", CancellationToken.None));
    }

    [Fact]
    public async Task UpsertAsync_LargeImportWithRepeats_EveryAddressOnceTheLaterWins()
    {
        var store = await OpenAsync();
        var rows = Enumerable.Range(0, 1_234).Select(i => new Suppression($"user{i}@bulk.test", null, SuppressionReason.Bounce, Now, null)).ToList();
        rows.Add(new Suppression("USER7@bulk.test", null, SuppressionReason.Manual, Now.AddHours(1), Now.AddDays(3)));

        await store.UpsertAsync(rows, CancellationToken.None);

        var listed = new List<Suppression>();
        string? cursor = null;
        for (IReadOnlyList<Suppression> page; (page = await store.ListSuppressionsAsync(cursor, 500, CancellationToken.None)).Count > 0;)
        {
            listed.AddRange(page);
            cursor = page[^1].Address + "\u0001" + (page[^1].Scope ?? string.Empty);
        }

        Assert.Equal(1_234, listed.Count);
        var seven = Assert.Single(listed, s => s.Address == "user7@bulk.test");
        Assert.Equal((SuppressionReason.Manual, Now.AddDays(3)), (seven.Reason, seven.ExpiresAt));
    }

    [Fact]
    public async Task ListSuppressionsAsync_PagedWithCursors_ReturnsEveryEntryOnceInByteOrder()
    {
        var store = await OpenAsync();
        string[] addresses = ["a@example.test", "a.b@example.test", "Z@example.test", "b@example.test", "a@example.testx", "_x@example.test"];
        var all = addresses.SelectMany(a => new[] { new Suppression(a, null, SuppressionReason.Bounce, Now, null), new Suppression(a, "s.example", SuppressionReason.Complaint, Now, null) }).ToList();
        await store.UpsertAsync(all, CancellationToken.None);

        var seen = new List<(string Address, string? Scope)>();
        string? cursor = null;
        while (true)
        {
            var page = await store.ListSuppressionsAsync(cursor, 5, CancellationToken.None);
            seen.AddRange(page.Select(s => (s.Address, s.Scope)));
            if (page.Count < 5)
            {
                break;
            }

            cursor = page[^1].Address + "\u0001" + (page[^1].Scope ?? string.Empty);
        }

        var expected = all.Select(s => (Address: s.Address.ToLowerInvariant(), s.Scope))
            .OrderBy(s => s.Address, StringComparer.Ordinal).ThenBy(s => s.Scope ?? string.Empty, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Suspensions_SuspendListResume_OnlyThoseInForceListed()
    {
        var store = await OpenAsync();
        await store.SuspendAsync("Gmail.com", Now.AddHours(1), CancellationToken.None);
        await store.SuspendAsync("gone.example", Now.AddMinutes(-1), CancellationToken.None);
        await store.SuspendAsync("gmail.com", Now.AddHours(2), CancellationToken.None);

        var listed = await store.ListAsync(Now, CancellationToken.None);

        Assert.Equal(Now.AddHours(2), Assert.Single(listed, s => s.Key == "gmail.com").Value);
        Assert.Single(listed);
        Assert.True(await store.ResumeAsync("GMAIL.com", CancellationToken.None));
        Assert.False(await store.ResumeAsync("gmail.com", CancellationToken.None));
        Assert.Empty(await store.ListAsync(Now, CancellationToken.None));
    }

    [Fact]
    public async Task SenderPauses_PauseMoveListResume_OnlyThoseInForceListedOnce()
    {
        var store = await OpenAsync();
        await store.PauseAsync(new SharedSenderPause("tag:spring", Now, Now.AddHours(1), "bounce_rate", "bounce rate 12%"), CancellationToken.None);
        await store.PauseAsync(new SharedSenderPause("sender_domain:old.example", Now.AddHours(-2), Now.AddMinutes(-1), "operator", "done"), CancellationToken.None);
        await store.PauseAsync(new SharedSenderPause("tag:spring", Now, Now.AddHours(2), "operator", "held longer"), CancellationToken.None);

        var listed = Assert.Single(await store.ListPausesAsync(Now, CancellationToken.None));

        Assert.Equal(new SharedSenderPause("tag:spring", Now, Now.AddHours(2), "operator", "held longer"), listed);
        Assert.True(await store.ResumeSenderAsync("tag:spring", CancellationToken.None));
        Assert.False(await store.ResumeSenderAsync("tag:spring", CancellationToken.None));
        Assert.Empty(await store.ListPausesAsync(Now, CancellationToken.None));
    }

    [Fact]
    public async Task Templates_Versions_LatestListedAndAllDeleted()
    {
        var store = await OpenAsync();
        await store.AddAsync(new Template("welcome", 1, "Welcome", "Hi {{ name }}", "<p>one</p>", "one", Now), CancellationToken.None);
        await store.AddAsync(new Template("welcome", 2, "Welcome", "Hello {{ name }}", "<p>two</p>", null, Now.AddHours(1)), CancellationToken.None);
        await store.AddAsync(new Template("bye", 1, "Bye", null, null, "bye", Now), CancellationToken.None);

        Assert.Equal("<p>two</p>", (await store.GetTemplateAsync("welcome", null, CancellationToken.None))!.Html);
        Assert.Equal("one", (await store.GetTemplateAsync("welcome", 1, CancellationToken.None))!.Text);
        Assert.Null(await store.GetTemplateAsync("welcome", 3, CancellationToken.None));
        Assert.Equal(["Bye:1", "Welcome:2"], (await store.ListTemplatesAsync(CancellationToken.None)).Select(t => $"{t.Name}:{t.Version}"));
        Assert.True(await store.DeleteTemplateAsync("welcome", CancellationToken.None));
        Assert.False(await store.DeleteTemplateAsync("welcome", CancellationToken.None));
        Assert.Null(await store.GetTemplateAsync("welcome", 1, CancellationToken.None));
    }
}
