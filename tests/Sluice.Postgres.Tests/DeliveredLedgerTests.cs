using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Sluice.Core.Messages;

namespace Sluice.Postgres.Tests;

/// <summary>Delivered recipients of unsettled cluster messages: recorded once, found by message, pruned after the keep time, and never an error for the mail path.</summary>
[Collection(nameof(SharedPostgres))]
public sealed class DeliveredLedgerTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Record_ThenDelivered_FindsThatMessagesRecipientsOnlyWhateverTheCase()
    {
        await using var database = await postgres.OpenDatabaseAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var ledger = new DeliveredLedger(database, TimeSpan.FromDays(6), time, NullLogger<DeliveredLedger>.Instance);

        await ledger.RecordAsync(new MessageId("m1"), ["one@fast.example", "two@fast.example"], time.GetUtcNow(), CancellationToken.None);
        await ledger.RecordAsync(new MessageId("m1"), ["one@fast.example"], time.GetUtcNow(), CancellationToken.None);
        await ledger.RecordAsync(new MessageId("m2"), ["three@fast.example"], time.GetUtcNow(), CancellationToken.None);

        var delivered = await ledger.DeliveredAsync(new MessageId("m1"), CancellationToken.None);
        Assert.Equal(2, delivered.Count);
        Assert.Contains("ONE@fast.example", delivered);
        Assert.Empty(await ledger.DeliveredAsync(new MessageId("m3"), CancellationToken.None));
    }

    [Fact]
    public async Task Record_AfterTheKeepTime_PrunesOlderRows()
    {
        await using var database = await postgres.OpenDatabaseAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        var ledger = new DeliveredLedger(database, TimeSpan.FromDays(6), time, NullLogger<DeliveredLedger>.Instance);
        await ledger.RecordAsync(new MessageId("old"), ["a@x.example"], time.GetUtcNow(), CancellationToken.None);

        time.Advance(TimeSpan.FromDays(7));
        await ledger.RecordAsync(new MessageId("new"), ["b@x.example"], time.GetUtcNow(), CancellationToken.None);

        Assert.Empty(await ledger.DeliveredAsync(new MessageId("old"), CancellationToken.None));
        Assert.Single(await ledger.DeliveredAsync(new MessageId("new"), CancellationToken.None));
    }

    [Fact]
    public async Task Ledger_DatabaseGone_RecordsNothingAndFindsNothingWithoutThrowing()
    {
        var database = await postgres.OpenDatabaseAsync();
        var name = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString).Database;
        var ledger = new DeliveredLedger(database, TimeSpan.FromDays(6), TimeProvider.System, NullLogger<DeliveredLedger>.Instance);
        await using (var admin = new NpgsqlConnection(postgres.Server.ConnectionString))
        {
            await admin.OpenAsync();
            NpgsqlConnection.ClearAllPools();
            await using var drop = new NpgsqlCommand($"DROP DATABASE {name} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        await ledger.RecordAsync(new MessageId("m"), ["a@x.example"], DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Empty(await ledger.DeliveredAsync(new MessageId("m"), CancellationToken.None));
        await database.DisposeAsync();
    }
}
