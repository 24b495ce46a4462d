using System.Diagnostics;

namespace Sluice.Dashboard;

/// <summary>
/// The node's resources every 10 seconds for the last hour, for the dashboard: CPU (share of all
/// cores), working set, managed heap, and the data directory's disk. Sampling reads /proc once per
/// sample, never per request.
/// </summary>
internal sealed class ResourceSampler(DataDirectoryUsage disk, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);
    private const int Keep = 360;
    private readonly Queue<ResourceSample> _samples = new(Keep);
    private readonly Lock _lock = new();

    public IReadOnlyList<ResourceSample> Samples
    {
        get
        {
            lock (_lock)
            {
                return [.. _samples];
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var process = Process.GetCurrentProcess();

        // The first sample covers the process's life so far (a share over a few milliseconds would be noise).
        var lastCpu = TimeSpan.Zero;
        var uptime = time.GetUtcNow() - process.StartTime.ToUniversalTime();
        var lastAt = time.GetTimestamp() - (long)(uptime.TotalSeconds * time.TimestampFrequency);
        using var timer = new PeriodicTimer(Every, time);
        try
        {
            do
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                var elapsed = time.GetElapsedTime(lastAt);
                lastAt = time.GetTimestamp();
                var share = elapsed > TimeSpan.Zero ? (cpu - lastCpu) / elapsed / Environment.ProcessorCount : 0;
                lastCpu = cpu;
                long free = 0, total = 0;
                try
                {
                    (free, total) = (disk.Free, disk.Total);
                }
                catch (IOException)
                {
                    // The data directory's disk went away; the sample shows 0.
                }

                var sample = new ResourceSample(time.GetUtcNow(), Math.Clamp(share, 0, 1), process.WorkingSet64, GC.GetTotalMemory(false), free, total);
                lock (_lock)
                {
                    if (_samples.Count == Keep)
                    {
                        _samples.Dequeue();
                    }

                    _samples.Enqueue(sample);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
