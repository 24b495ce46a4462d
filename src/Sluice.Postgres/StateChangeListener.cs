using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Core.State;
using Sluice.Core.Telemetry;

namespace Sluice.Postgres;

/// <summary>
/// Follows the changes other nodes commit to shared state (<c>LISTEN sluice_state</c>) and hands
/// each to the node's <see cref="IStateChangeObserver"/>, so that its suppression list and caches
/// follow within moments. Notifications sent while this node was not listening are lost, so each
/// time LISTEN is in place (the first time too: a change may have come between the node's first
/// load and now) the observer reads everything again.
/// </summary>
public sealed class StateChangeListener(PostgresDatabase database, IStateChangeObserver observer, TimeProvider time, ILogger<StateChangeListener> logger) : BackgroundService
{
    private readonly LogGate<string> _gate = new(time, TimeSpan.FromMinutes(1));
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is in place (tests and start-up order wait for it).</summary>
    public Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await database.DataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                var received = new List<StateChange>();
                var resync = false;
                connection.Notification += (_, e) =>
                {
                    if (StateChangeMessage.Parse(e.Payload) is { } change)
                    {
                        received.Add(change);
                    }
                    else
                    {
                        resync = true;
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresDatabase.StateChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                PostgresLog.Listening(logger, PostgresDatabase.StateChannel);
                await observer.OnResyncAsync(stoppingToken).ConfigureAwait(false);
                _listening.TrySetResult();
                while (true)
                {
                    // Notifications are raised inside WaitAsync, on this connection: applied after it
                    // returns, when the observer may use other connections of the pool.
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                    if (resync)
                    {
                        resync = false;
                        received.Clear();
                        await observer.OnResyncAsync(stoppingToken).ConfigureAwait(false);
                        continue;
                    }

                    foreach (var change in received)
                    {
                        await observer.OnChangedAsync(change, stoppingToken).ConfigureAwait(false);
                    }

                    received.Clear();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException or InvalidOperationException)
            {
                if (_gate.ShouldLog("listen", out var unlogged))
                {
                    PostgresLog.ListenFailed(logger, ex.Message, unlogged);
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
