using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Messages;
using Sluice.Testing;

namespace Sluice.Storage.Tests;

/// <summary>The spool on a filesystem that another process fills: what it gives back.</summary>
public sealed partial class SqliteSpoolTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task Maintenance_DiskFilledAfterTheWalGrew_CutsTheWalFileBackToUnderOneMiB()
    {
        using var mount = TmpfsMount.Create(64 * MiB);
        var options = new SpoolOptions { Directory = mount.Path, MinFreeBytes = 8 * MiB, ReserveBytes = 0, HotCacheBytes = 0 };
        await using var spool = SqliteSpool.Open(options, _time, NullLogger.Instance);

        // About 4 MiB of small bodies (kept in the database): with space to spare the WAL is only
        // checkpointed at 16 MiB, so its file grows past 1 MiB.
        var ids = new List<MessageId>();
        for (var i = 0; i < 500; i++)
        {
            ids.Add(await EnqueueAsync(spool, _ids, _time, mount.Path, RandomBytes(8_000, seed: i), "a@example.com", "b@example.org"));
        }

        var wal = Path.Combine(mount.Path, "spool.db-wal");
        Assert.True(new FileInfo(wal).Length > 2 * MiB, $"the WAL is only {new FileInfo(wal).Length} bytes");

        // Another process leaves the spool 6 MiB, under its margin; then one delivery is acknowledged.
        var filler = Path.Combine(mount.Path, "filler");
        using (var handle = File.OpenHandle(filler, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: new DriveInfo(mount.Path).AvailableFreeSpace - (6 * MiB)))
        {
        }

        Assert.True(await spool.AckAsync(ids[0], CancellationToken.None));

        // The idle writer checkpoints and truncates: a WAL cut back only to the usual 32 MiB limit
        // would keep megabytes that the full disk needs.
        await Poll.UntilAsync(
            () => Task.FromResult(new FileInfo(wal).Length <= MiB),
            TimeSpan.FromSeconds(10),
            "the WAL file to be cut back",
            () => $"WAL {new FileInfo(wal).Length} bytes");

        // Nothing was lost by it: the acknowledged message is gone, the others are whole.
        Assert.Null(await spool.OpenContentAsync(ids[0], CancellationToken.None));
        await using var stream = await spool.OpenContentAsync(ids[499], CancellationToken.None);
        Assert.Equal(RandomBytes(8_000, seed: 499), await ReadAllAsync(stream!));
    }
}
