using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Core.Queue;
using Sluice.Delivery.Queues;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Moves due messages from the queue into the engine's hands, at most <see cref="DeliveryOptions.MaxInHand"/>
/// at a time (a bound on memory however deep the queue is), and starts each one's dispatch. It
/// sleeps on the queue's own wake-up when nothing is due. A tick each second closes idle
/// connections, retires empty ready queues and releases suspensions that ran out.
/// </summary>
internal sealed class Scheduler : BackgroundService
{
    private const int LeaseBatch = 500;
    private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);

    private readonly IMessageQueue _queue;
    private readonly Dispatcher _dispatcher;
    private readonly ReadyQueues _queues;
    private readonly DeliveryControl _control;
    private readonly DeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _inHand;
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public Scheduler(IMessageQueue queue, Dispatcher dispatcher, ReadyQueues queues, DeliveryControl control, DeliveryOptions options, TimeProvider time, ILogger<Scheduler> logger, Core.Telemetry.SluiceMetrics? metrics = null)
    {
        _queue = queue;
        _dispatcher = dispatcher;
        _queues = queues;
        _control = control;
        _options = options;
        _time = time;
        _logger = logger;
        _inHand = new SemaphoreSlim(options.MaxInHand, options.MaxInHand);
        metrics?.ObserveReadyQueues(() => InHand, () => _queues.Count);
    }

    /// <summary>Messages leased and not yet settled.</summary>
    public int InHand => _options.MaxInHand - _inHand.CurrentCount;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Waiting mail is handed back (held until the next open); transactions in flight finish and settle.
        await _queues.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _inHand.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ticks = TickAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _inHand.WaitAsync(stoppingToken).ConfigureAwait(false);
                var room = 1;
                while (room < LeaseBatch && _inHand.Wait(0, CancellationToken.None))
                {
                    room++;
                }

                var leased = await _queue.LeaseAsync(room, stoppingToken).ConfigureAwait(false);
                if (room > leased.Count)
                {
                    _inHand.Release(room - leased.Count);
                }

                foreach (var entry in leased)
                {
                    Start(entry);
                }

                if (leased.Count < room)
                {
                    // Nothing more is due: sleep until something is enqueued, flushed or released, or the poll interval.
                    await _queue.WaitForWorkAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await ticks.ConfigureAwait(false);
    }

    private void Start(QueueEntry entry)
    {
        var task = Task.Run(() => _dispatcher.DeliverAsync(entry), CancellationToken.None);
        _running[task] = 0;
        _ = task.ContinueWith(
            t =>
            {
                _running.TryRemove(t, out _);
                _inHand.Release();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task TickAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TickInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await _queues.ReapAsync().ConfigureAwait(false);
                    await _control.ReleaseExpiredAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    SchedulerLog.TickFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
