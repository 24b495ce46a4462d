using System.Diagnostics;
using System.Globalization;

namespace Sluice.Benchmarks;

/// <summary>Durable 4 KB writes per second for each engine, with 1 and 20 concurrent writers (like SMTP sessions).</summary>
internal static class SpoolEngines
{
    public static async Task RunAsync(int messages)
    {
        var value = new byte[4096];
        new Random(42).NextBytes(value);
        Console.WriteLine($"| engine | writers | messages | msgs/s |");
        Console.WriteLine($"|---|---:|---:|---:|");
        foreach (var writers in new[] { 1, 20 })
        {
            foreach (var make in new Func<string, IDurableStore>[] { d => new SqliteStore(d), d => new AppendLogStore(d), d => new RocksDbStore(d) })
            {
                var dir = Path.Combine(Path.GetTempPath(), "sluice-engines-" + Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(dir);
                var count = writers == 1 ? Math.Min(messages, 2000) : messages;
                var store = make(dir);
                try
                {
                    var rate = await MeasureAsync(store, writers, count, value);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {store.Name} | {writers} | {count} | {rate:F0} |"));
                }
                finally
                {
                    await store.DisposeAsync();
                    Directory.Delete(dir, recursive: true);
                }
            }
        }
    }

    private static async Task<double> MeasureAsync(IDurableStore store, int writers, int count, byte[] value)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await store.WriteAsync("m" + i.ToString("D8", CultureInfo.InvariantCulture), value);
            }
        })));
        return count / watch.Elapsed.TotalSeconds;
    }
}
