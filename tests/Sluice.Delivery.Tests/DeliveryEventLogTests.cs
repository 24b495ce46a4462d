using Microsoft.Extensions.Time.Testing;
using Sluice.Core.Events;
using Sluice.Testing;

namespace Sluice.Delivery.Tests;

/// <summary>Retention of the delivery event log: by age, then by size, never today's file.</summary>
public sealed class DeliveryEventLogTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Start_FilesOlderThanMaxAge_AreDeleted()
    {
        using var dir = new TempDirectory();
        Day(dir, "20261029", 10);
        Day(dir, "20261031", 10);
        Day(dir, "20261130", 10);

        using var log = new DeliveryEventLog(dir.Path, new FakeTimeProvider(Now), maxAge: TimeSpan.FromDays(30));

        Assert.Equal(["events-20261031.jsonl", "events-20261130.jsonl"], Names(dir));
    }

    [Fact]
    public void Start_FolderOverMaxBytes_OldestDeletedButNeverToday()
    {
        using var dir = new TempDirectory();
        Day(dir, "20261127", 600_000);
        Day(dir, "20261128", 600_000);
        Day(dir, "20261129", 600_000);
        Day(dir, "20261130", 2_000_000);

        using var log = new DeliveryEventLog(dir.Path, new FakeTimeProvider(Now), maxBytes: 1_000_000);

        Assert.Equal(["events-20261130.jsonl"], Names(dir));
    }

    [Fact]
    public void Flush_DaysLater_PrunesWhatAgedMeanwhile()
    {
        using var dir = new TempDirectory();
        var time = new FakeTimeProvider(Now);
        Day(dir, "20261101", 10);
        using var log = new DeliveryEventLog(dir.Path, time, maxAge: TimeSpan.FromDays(30));
        Assert.Equal(["events-20261101.jsonl"], Names(dir));

        time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(1));
        log.Flush();

        Assert.Empty(Names(dir));
    }

    private static void Day(TempDirectory dir, string day, int bytes)
        => File.WriteAllBytes(Path.Combine(dir.Path, $"events-{day}.jsonl"), new byte[bytes]);

    private static List<string> Names(TempDirectory dir)
        => [.. Directory.GetFiles(dir.Path, "events-*.jsonl").Select(Path.GetFileName).Order(StringComparer.Ordinal).Select(n => n!)];
}
