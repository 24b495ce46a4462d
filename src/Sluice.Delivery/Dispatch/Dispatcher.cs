using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sluice.Core.Messages;
using Sluice.Core.Queue;
using Sluice.Core.Telemetry;
using Sluice.Delivery.Bounces;
using Sluice.Delivery.Connections;
using Sluice.Delivery.Dns;
using Sluice.Delivery.Events;

namespace Sluice.Delivery.Dispatch;

/// <summary>
/// Takes due messages from the queue (leases), delivers each recipient group by domain, and
/// settles the message: ack when nothing is left, defer the remaining recipients on the retry
/// schedule, bounce (RFC 3464) what failed for good or expired. The bounce is queued before the
/// original is acked, so a crash in between repeats work but loses nothing.
/// </summary>
internal sealed partial class Dispatcher : BackgroundService
{
    private readonly IMessageQueue _queue;
    private readonly MxResolver _dns;
    private readonly DeliveryPolicyHolder _policy;
    private readonly ConnectionPool _pool;
    private readonly Pools.RelayPools _relays;
    private readonly Core.State.SuppressionList? _suppressions;
    private readonly BounceSender _bounces;
    private readonly Classification.BounceClassifier _classifier;
    private readonly Suspensions _suspensions;
    private readonly DeliveryEventLog _events;
    private readonly DeliveryOptions _options;
    private readonly SluiceMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public Dispatcher(
        IMessageQueue queue,
        MxResolver dns,
        DeliveryPolicyHolder policy,
        ConnectionPool pool,
        Pools.RelayPools relays,
        BounceSender bounces,
        Classification.BounceClassifier classifier,
        Suspensions suspensions,
        DeliveryEventLog events,
        DeliveryOptions options,
        SluiceMetrics metrics,
        TimeProvider time,
        ILogger<Dispatcher> logger,
        Core.State.SuppressionList? suppressions = null)
    {
        _suppressions = suppressions;
        _queue = queue;
        _dns = dns;
        _policy = policy;
        _pool = pool;
        _relays = relays;
        _bounces = bounces;
        _classifier = classifier;
        _suspensions = suspensions;
        _events = events;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _slots = new SemaphoreSlim(options.Concurrency, options.Concurrency);
    }

    /// <summary>New mail is queued: look now instead of at the next poll.</summary>
    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);

        // Messages in flight finish their SMTP transaction and settle; leases of the rest simply expire.
        await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
        await _pool.DisposeAsync().ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastReap = _time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            await _slots.WaitAsync(stoppingToken).ConfigureAwait(false);
            var free = _slots.CurrentCount + 1;
            var leased = await _queue.LeaseAsync(free, _options.LeaseDuration, stoppingToken).ConfigureAwait(false);
            _slots.Release();
            if (leased.Count == 0)
            {
                if (_time.GetUtcNow() - lastReap > ReapInterval)
                {
                    await _pool.ReapAsync().ConfigureAwait(false);
                    lastReap = _time.GetUtcNow();
                }

                try
                {
                    await _wake.WaitAsync(_options.PollInterval, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            foreach (var entry in leased)
            {
                await _slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                var task = Task.Run(() => DeliverAsync(entry), CancellationToken.None);
                _running[task] = 0;
                _ = task.ContinueWith(
                    t =>
                    {
                        _running.TryRemove(t, out _);
                        _slots.Release();
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
    }

    /// <summary>Idle connections are looked at this often (each site closes its own after its IdleTimeout).</summary>
    private static readonly TimeSpan ReapInterval = TimeSpan.FromSeconds(1);

    private async Task DeliverAsync(QueueEntry entry)
    {
        try
        {
            // One snapshot for the whole message: a reload takes effect from the next message on.
            var policy = _policy.Current;
            var results = new List<AttemptResult>(entry.Envelope.Recipients.Count);
            var now = _time.GetUtcNow();
            var recipients = entry.Envelope.Recipients;
            if (_suppressions is { Count: > 0 })
            {
                // Checked again before sending: an address suppressed since the message was queued is not mailed.
                var deliverable = new List<EnvelopeRecipient>(recipients.Count);
                foreach (var recipient in recipients)
                {
                    if (_suppressions.Find(recipient.Address, entry.Envelope.Sender, now) is { } hit)
                    {
                        results.Add(new AttemptResult(recipient, Smtp.DeliveryOutcome.Permanent(550, "5.7.1", $"Recipient <{recipient.Address}> was suppressed ({hit.Reason.ToString().ToLowerInvariant()}) before delivery"), "suppressed", null));
                    }
                    else
                    {
                        deliverable.Add(recipient);
                    }
                }

                recipients = deliverable;
            }

            foreach (var group in recipients.GroupBy(r => r.Domain, StringComparer.Ordinal))
            {
                var started = _time.GetTimestamp();
                var attempt = await DeliverToDomainAsync(policy, entry, group.Key, [.. group]).ConfigureAwait(false);
                var elapsed = _time.GetElapsedTime(started);
                foreach (var result in attempt)
                {
                    results.Add(result with { Elapsed = elapsed });
                }
            }

            await SettleAsync(policy, entry, results).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug or a storage failure: the lease runs out and the message is tried again. Nothing is lost.
            DispatchLog.Failed(_logger, entry.Id.Value, ex);
        }
    }
}
