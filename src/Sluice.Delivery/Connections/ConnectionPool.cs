using System.Collections.Concurrent;
using System.Net;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Connections;

/// <summary>
/// Cached SMTP connections per site. A connection that finished a message cleanly goes back to
/// its site for the next message (until it has sent its quota or sat idle too long); one that
/// failed is closed. Per-site limits hold for busy and idle connections together.
/// </summary>
internal sealed class ConnectionPool(ConnectionPoolOptions options, SmtpClientOptions client, TimeProvider time, Core.Telemetry.SluiceMetrics? metrics = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SitePool> _sites = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Shaping.RateLimit> _connectionRates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Shaping.RateLimit> _messageRates = new(StringComparer.Ordinal);

    /// <summary>Waits for the site's message-rate slot (no wait without a configured rate).</summary>
    public ValueTask WaitForMessageSlotAsync(string site, CancellationToken cancellationToken)
        => options.MaxMessageRatePerSite > 0
            ? _messageRates.GetOrAdd(site, _ => new Shaping.RateLimit(options.MaxMessageRatePerSite, options.MessageBurstPerSite, time)).WaitAsync(cancellationToken)
            : ValueTask.CompletedTask;

    /// <summary>
    /// A connection to the site: a cached one if any, else a new one to <paramref name="target"/>.
    /// On failure to open, the failure outcome (and the slot is given back).
    /// </summary>
    public async Task<(SmtpClientConnection? Connection, DeliveryOutcome? Failure)> AcquireAsync(
        string site, IPEndPoint target, string serverName, SmtpClientOptions? overrides, CancellationToken cancellationToken)
    {
        var pool = Site(site);
        while (true)
        {
            var cached = await pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
            if (cached is null)
            {
                if (options.MaxConnectionRatePerSite > 0)
                {
                    await _connectionRates.GetOrAdd(site, _ => new Shaping.RateLimit(options.MaxConnectionRatePerSite, options.ConnectionBurstPerSite, time)).WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                var (connection, failure) = await SmtpClientConnection.OpenAsync(target, serverName, overrides ?? client, time, cancellationToken).ConfigureAwait(false);
                var siteTag = new KeyValuePair<string, object?>("site", site);
                if (connection is null)
                {
                    pool.Release();
                    metrics?.OutboundConnectionsFailed.Add(1, siteTag, new KeyValuePair<string, object?>("reason", failure?.Reply.Status?.ToString() ?? failure?.Reply.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                else
                {
                    metrics?.OutboundConnectionsOpened.Add(1, siteTag);
                    metrics?.OutboundConnectionsOpen.Add(1);
                }

                return (connection, failure);
            }

            if (cached.IsUsable && time.GetUtcNow() - cached.LastUsed < options.IdleTimeout)
            {
                metrics?.OutboundConnectionsReused.Add(1, new KeyValuePair<string, object?>("site", site));
                return (cached, null);
            }

            // Stale or broken: close it (freeing its slot) and ask again.
            await CloseAsync(pool, cached).ConfigureAwait(false);
        }
    }

    /// <summary>A delivery to the site worked: the window grows.</summary>
    public void ReportSuccess(string site) => Site(site).Succeeded();

    /// <summary>The site throttled us (421, rate limit): the window shrinks.</summary>
    public void ReportThrottled(string site) => Site(site).Throttled();

    /// <summary>The site could not be reached or refused the session: the window shrinks; true when it has failed so often that it should rest.</summary>
    public bool ReportFailure(string site) => Site(site).Failed() >= options.FailuresBeforeCooldown;

    private SitePool Site(string site)
        => _sites.GetOrAdd(site, _ => new SitePool(options.MaxConnectionsPerSite, options.InitialConnectionsPerSite));

    /// <summary>After a message: keep the connection for the next one, or close it.</summary>
    public async Task ReleaseAsync(string site, SmtpClientConnection connection)
    {
        var pool = _sites[site];
        if (connection.IsUsable && connection.MessagesSent < options.MaxMessagesPerConnection)
        {
            pool.Return(connection);
            return;
        }

        await CloseAsync(pool, connection).ConfigureAwait(false);
    }

    /// <summary>Closes idle connections past their idle time (called periodically by the dispatcher).</summary>
    public async Task ReapAsync()
    {
        var before = time.GetUtcNow() - options.IdleTimeout;
        foreach (var pool in _sites.Values)
        {
            foreach (var stale in pool.TakeStale(before))
            {
                await CloseAsync(pool, stale).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var pool in _sites.Values)
        {
            foreach (var idle in pool.TakeStale(DateTimeOffset.MaxValue))
            {
                await CloseAsync(pool, idle).ConfigureAwait(false);
            }
        }
    }

    private async Task CloseAsync(SitePool pool, SmtpClientConnection connection)
    {
        await connection.QuitAsync().ConfigureAwait(false);
        await connection.DisposeAsync().ConfigureAwait(false);
        metrics?.OutboundConnectionsOpen.Add(-1);
        pool.Release();
    }
}
