using System.Collections.Concurrent;
using System.Net;
using Sluice.Delivery.Shaping;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Connections;

/// <summary>
/// Cached SMTP connections per site (× egress source). A connection that finished a message
/// cleanly goes back to its site for the next message (until it has sent its quota or sat idle
/// too long); one that failed is closed. Limits hold for busy and idle connections together and
/// follow the site's shaping, which a config reload may change at any time.
/// </summary>
internal sealed class ConnectionPool(TimeProvider time, Core.Telemetry.SluiceMetrics? metrics = null) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SitePool> _sites = new(StringComparer.Ordinal);

    /// <summary>Waits for the site's message-rate slot (no wait without a configured rate).</summary>
    public ValueTask WaitForMessageSlotAsync(string site, CancellationToken cancellationToken)
        => _sites.TryGetValue(site, out var pool) && pool.MessageRate is { } rate ? rate.WaitAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>
    /// A connection to the site: a cached one if any, else a new one to <paramref name="target"/>.
    /// On failure to open, the failure outcome (and the slot is given back).
    /// </summary>
    public async Task<(SmtpClientConnection? Connection, DeliveryOutcome? Failure)> AcquireAsync(
        string site, SiteShaping shaping, IPEndPoint target, string serverName, SmtpClientOptions client, CancellationToken cancellationToken)
    {
        var pool = Site(site, shaping);
        while (true)
        {
            var cached = await pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
            if (cached is null)
            {
                if (pool.ConnectionRate is { } rate)
                {
                    await rate.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                var (connection, failure) = await SmtpClientConnection.OpenAsync(target, serverName, client, time, cancellationToken).ConfigureAwait(false);
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

            if (cached.LooksAlive() && time.GetUtcNow() - cached.LastUsed < pool.Shaping.IdleTimeout)
            {
                metrics?.OutboundConnectionsReused.Add(1, new KeyValuePair<string, object?>("site", site));
                return (cached, null);
            }

            // Stale or broken: close it (freeing its slot) and ask again.
            await CloseAsync(pool, cached).ConfigureAwait(false);
        }
    }

    /// <summary>A delivery to the site worked: the window grows.</summary>
    public void ReportSuccess(string site) => Existing(site)?.Succeeded();

    /// <summary>The site throttled us (421, rate limit): the window shrinks.</summary>
    public void ReportThrottled(string site) => Existing(site)?.Throttled();

    /// <summary>
    /// The site could not be reached or refused the session: the window shrinks. Returns how long
    /// the site should rest when it has failed so often in a row that it should, else null.
    /// </summary>
    public TimeSpan? ReportFailure(string site)
    {
        if (Existing(site) is not { } pool)
        {
            return null;
        }

        return pool.Failed() >= pool.Shaping.FailuresBeforeCooldown ? pool.Shaping.FailureCooldown : null;
    }

    /// <summary>The shaping each known site runs under now (for the policy view).</summary>
    public IEnumerable<(string Site, int Open, int Limit, SiteShaping Shaping)> Sites()
    {
        foreach (var (name, pool) in _sites)
        {
            yield return (name, pool.Open, pool.Limit, pool.Shaping);
        }
    }

    private SitePool? Existing(string site) => _sites.TryGetValue(site, out var pool) ? pool : null;

    private SitePool Site(string site, SiteShaping shaping)
    {
        if (_sites.TryGetValue(site, out var pool))
        {
            // Reference check first: the policy hands out the same instance until a reload.
            if (!ReferenceEquals(pool.Shaping, shaping))
            {
                pool.Reconfigure(shaping);
            }

            return pool;
        }

        return _sites.GetOrAdd(site, _ => new SitePool(shaping, time));
    }

    /// <summary>After a message: keep the connection for the next one, or close it.</summary>
    public async Task ReleaseAsync(string site, SmtpClientConnection connection)
    {
        var pool = _sites[site];
        if (connection.IsUsable && connection.MessagesSent < pool.Shaping.MaxMessagesPerConnection && !pool.OverLimit)
        {
            pool.Return(connection);
            return;
        }

        await CloseAsync(pool, connection).ConfigureAwait(false);
    }

    /// <summary>Closes idle connections past their site's idle time (called periodically by the dispatcher).</summary>
    public async Task ReapAsync()
    {
        var now = time.GetUtcNow();
        foreach (var pool in _sites.Values)
        {
            foreach (var stale in pool.TakeStale(now - pool.Shaping.IdleTimeout))
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
