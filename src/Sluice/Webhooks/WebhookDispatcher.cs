using Sluice.Core.Events;
using Sluice.Core.Telemetry;
using Sluice.Core.Webhooks;

namespace Sluice.Webhooks;

/// <summary>
/// Posts indexed events to each enabled webhook, one loop per webhook: read a batch after its cursor
/// (only the types it subscribed to), sign, post; on a 2xx move the cursor on, otherwise retry with
/// doubling, jittered waits, and after <see cref="WebhookOptions.MaxAttempts"/> tries keep the batch
/// as a dead letter and move on. The cursor is stored after every batch, so a restart goes on where
/// the last acknowledged post ended: at least once, never skipped.
/// </summary>
internal sealed partial class WebhookDispatcher : BackgroundService
{
    private static readonly TimeSpan ReconcileEvery = TimeSpan.FromSeconds(30);

    /// <summary>How soon a node asks again for a webhook another node posts (how fast it takes over when that node dies).</summary>
    private static readonly TimeSpan ClaimRetry = TimeSpan.FromSeconds(2);

    private readonly IWebhookStore _store;
    private readonly IMessageIndex _index;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly SluiceMetrics _metrics;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly Random _random;
    private readonly LogGate<string> _failureLog;
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WebhookDispatcher(IWebhookStore store, IMessageIndex index, WebhookOptions options, TimeProvider time, SluiceMetrics metrics, ILogger<WebhookDispatcher> logger, HttpMessageHandler? handler = null, Random? random = null)
    {
        _store = store;
        _index = index;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _random = random ?? Random.Shared;
        _failureLog = new LogGate<string>(time, TimeSpan.FromMinutes(1));
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) }, disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Sluice-Webhooks/1");
    }

    /// <summary>Webhooks were added, changed or removed: the loops are brought in line now rather than at the next periodic look.</summary>
    public void Changed() => Volatile.Read(ref _changed).TrySetResult();

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = Volatile.Read(ref _changed);
                await ReconcileAsync(stoppingToken).ConfigureAwait(false);
                await Task.WhenAny(changed.Task, Task.Delay(ReconcileEvery, _time, stoppingToken)).ConfigureAwait(false);
                if (changed.Task.IsCompleted)
                {
                    Interlocked.CompareExchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), changed);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            foreach (var running in _running.Values)
            {
                await running.Stop.CancelAsync().ConfigureAwait(false);
            }

            foreach (var running in _running.Values)
            {
                await running.Loop.ConfigureAwait(false);
                running.Stop.Dispose();
            }

            _running.Clear();
        }
    }

    private async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        var wanted = new Dictionary<string, Webhook>(StringComparer.Ordinal);
        foreach (var webhook in await _store.ListAsync(stoppingToken).ConfigureAwait(false))
        {
            if (webhook.Enabled)
            {
                wanted[webhook.Id] = webhook;
            }
        }

        foreach (var (id, running) in _running.ToList())
        {
            // A loop that ended by itself (its store failed) is started again, from its stored cursor.
            if (!wanted.TryGetValue(id, out var webhook) || webhook.EventMask != running.Webhook.EventMask || webhook.Url != running.Webhook.Url || running.Loop.IsCompleted)
            {
                await running.Stop.CancelAsync().ConfigureAwait(false);
                await running.Loop.ConfigureAwait(false);
                running.Stop.Dispose();
                _running.Remove(id);
            }
        }

        foreach (var webhook in wanted.Values)
        {
            if (!_running.ContainsKey(webhook.Id))
            {
                var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                _running[webhook.Id] = new Running(webhook, stop, Task.Run(() => RunAsync(webhook.Id, stop.Token), CancellationToken.None));
            }
        }
    }

    private sealed record Running(Webhook Webhook, CancellationTokenSource Stop, Task Loop);
}
