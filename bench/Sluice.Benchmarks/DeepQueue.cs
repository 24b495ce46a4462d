using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Storage;

namespace Sluice.Benchmarks;

/// <summary>
/// Fills the real spool with N messages and shows that memory stays flat: peak RSS against queue
/// depth, plus what queue operations cost at that depth (summary, a page, a lease batch).
/// </summary>
internal static class DeepQueue
{
    public static async Task RunAsync(int messages)
    {
        var dir = Path.Combine(Path.GetTempPath(), "sluice-deep-" + Guid.NewGuid().ToString("N"));
        var body = new byte[1024];
        new Random(7).NextBytes(body);
        for (var i = 0; i < body.Length; i++)
        {
            body[i] = (byte)('a' + (body[i] % 26));
        }

        var ids = new MessageIdGenerator(TimeProvider.System);
        var samples = new List<(int Depth, long RssMiB)>();
        try
        {
            await using var spool = SqliteSpool.Open(new SpoolOptions { Directory = dir }, TimeProvider.System, NullLogger.Instance);
            var next = -1;
            var watch = Stopwatch.StartNew();
            var sampler = Task.Run(async () =>
            {
                while (Volatile.Read(ref next) < messages)
                {
                    samples.Add(((int)spool.Depth, Environment.WorkingSet / (1024 * 1024)));
                    await Task.Delay(2000);
                }
            });
            await Task.WhenAll(Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
            {
                using var buffer = new MessageBuffer(dir);
                int i;
                while ((i = Interlocked.Increment(ref next)) < messages)
                {
                    buffer.Reset();
                    buffer.Write(body);
                    var envelope = new Envelope("bulk@sender.example", [new EnvelopeRecipient($"user{i}@domain{i % 500}.example")]);
                    if (await spool.EnqueueAsync(envelope, ids.Next(), DateTimeOffset.UtcNow, buffer, CancellationToken.None) != EnqueueResult.Stored)
                    {
                        throw new InvalidOperationException("enqueue failed");
                    }
                }
            })));
            var fill = watch.Elapsed;
            await sampler;
            samples.Add(((int)spool.Depth, Environment.WorkingSet / (1024 * 1024)));

            var summary = await Time(() => spool.GetSummaryAsync(CancellationToken.None).AsTask());
            var page = await Time(() => spool.ListAsync(100, null, CancellationToken.None).AsTask());
            var lease = await Time(() => spool.LeaseAsync(100, CancellationToken.None).AsTask());
            var dbBytes = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| queued messages | {spool.Depth:N0} (1 KB bodies, 500 domains) |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| fill rate | {messages / fill.TotalSeconds:F0} msgs/s durable, 64 writers |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| spool on disk | {dbBytes / (1024 * 1024):N0} MiB |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| peak working set | {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024):N0} MiB |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| working set by depth | {string.Join(", ", samples.Where((_, k) => k % Math.Max(1, samples.Count / 6) == 0 || k == samples.Count - 1).Select(s => $"{s.Depth:N0}: {s.RssMiB} MiB"))} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| summary by state and domain | {summary.TotalMilliseconds:F0} ms |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| first page of 100 | {page.TotalMilliseconds:F1} ms |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| lease 100 due messages | {lease.TotalMilliseconds:F1} ms |"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<TimeSpan> Time<T>(Func<Task<T>> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }
}
