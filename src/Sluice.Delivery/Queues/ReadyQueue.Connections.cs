using System.Net;
using Sluice.Core.Cluster;
using Sluice.Delivery.Smtp;

namespace Sluice.Delivery.Queues;

public sealed partial class ReadyQueue
{
    /// <summary>
    /// Opens a session to the first host that gives one, in preference order and each address in
    /// turn (RFC 5321 §5.1). On failure, how the last try ended and where. Each session's TLS
    /// result counts for the TLS report of <paramref name="domain"/>, whose mail opened it.
    /// </summary>
    private async Task<(SmtpClientConnection? Connection, DeliveryOutcome? Failure, string? Remote)> OpenAsync(QueuePlan plan, string domain)
    {
        DeliveryOutcome? last = null;
        string? lastHost = null;
        var siteTag = new KeyValuePair<string, object?>("site", Key.Site);
        foreach (var host in plan.Hosts)
        {
            foreach (var address in host.Addresses)
            {
                if (_connectionRate is { } rate)
                {
                    await rate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                }

                var (connection, failure) = await SmtpClientConnection.OpenAsync(new IPEndPoint(address, plan.Port), host.Name, plan.Client, _context.Time, CancellationToken.None).ConfigureAwait(false);
                if (connection is not null)
                {
                    _context.Metrics?.OutboundConnectionsOpened.Add(1, siteTag);
                    _context.Metrics?.OutboundConnectionsOpen.Add(1);
                    CountTls(plan, domain, host.Name, address, connection, null);
                    return (connection, null, host.Name);
                }

                CountTls(plan, domain, host.Name, address, null, failure);

                _context.Metrics?.OutboundConnectionsFailed.Add(1, siteTag, new KeyValuePair<string, object?>("reason", failure!.Cause.ToString()));
                last = failure;
                lastHost = host.Name;
            }
        }

        return (null, last ?? DeliveryOutcome.Session(OutcomeCause.ConnectFailed, SessionPhase.Connect, "4.4.1", "No mail exchanger has an address to connect to"), lastHost);
    }

    /// <summary>A session for the TLS report: TLS negotiated, or why not (a plaintext session where STARTTLS was not offered counts as such a failure; TLS off by configuration counts nothing).</summary>
    private void CountTls(QueuePlan plan, string domain, string host, IPAddress address, SmtpClientConnection? connection, DeliveryOutcome? failure)
    {
        if (_context.TlsReports is not { } reports || plan.Client.Tls == TlsPolicy.Disabled || Key.Site.Length == 0)
        {
            return;
        }

        var source = plan.Client.SourceAddress?.ToString();
        if (connection is { IsTls: true })
        {
            reports.Succeeded(domain);
        }
        else if (connection is not null)
        {
            reports.Failed(domain, TlsReporting.TlsResultType.StartTlsNotSupported, host, address.ToString(), source, null);
        }
        else if (failure is { Cause: OutcomeCause.TlsFailed })
        {
            reports.Failed(domain, TlsReporting.TlsResultType.Of(failure.Reply.Text), host, address.ToString(), source, failure.Reply.Text);
        }
    }

    /// <summary>QUIT and close; never throws (its slot is accounted for by the caller either way).</summary>
    private async Task DisposeConnectionAsync(SmtpClientConnection connection)
    {
        try
        {
            await connection.QuitAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            QueueLog.CloseFailed(_context.Logger, Key, ex);
        }

        _context.Metrics?.OutboundConnectionsOpen.Add(-1);
    }

    /// <summary>
    /// Closes idle connections past their idle time (all of them while another queue waits for a
    /// connection slot, or another node for a lease of this queue's limit), and retires the queue when nothing is left in it. Returns true when retired.
    /// </summary>
    public async Task<bool> ReapAsync(bool makeRoom)
    {
        // Another node waits for a lease this queue holds idle, or this queue holds more than its
        // share while the limits are not shared: idle connections give theirs back now.
        makeRoom |= _context.SharedLimits is { } shared && (shared.IsWanted(LimitKey) || shared.ShareOf(LimitKey, _shaping.MaxConnections) is { } share && _open > share);
        List<SmtpClientConnection>? stale = null;
        List<SharedLease?>? leases = null;
        List<(DeliveryJob, SmtpClientConnection?)>? start = null;
        bool retired;
        lock (_lock)
        {
            if (_idle.Count > 0)
            {
                var before = _context.Time.GetUtcNow() - Plan.Shaping.IdleTimeout;
                var keep = new List<SmtpClientConnection>();
                while (_idle.TryPop(out var c))
                {
                    (makeRoom || c.LastUsed < before || !c.IsUsable ? (stale ??= []) : keep).Add(c);
                }

                for (var i = keep.Count - 1; i >= 0; i--)
                {
                    _idle.Push(keep[i]);
                }

                for (var i = 0; i < (stale?.Count ?? 0); i++)
                {
                    (leases ??= []).Add(CloseSlotLocked());
                }
            }

            // A queue that has room again brings back what it held, even when nothing new arrives to trigger it.
            ReleaseIfRoomLocked();
            // A queue a reply rule acts on lives until the rule's time is up: a fresh one would forget it.
            retired = _open == 0 && _busy == 0 && _leaseWaitUntil is null && _waiting.Count == 0 && _retry.Count == 0 && _restingUntil is null && !_moreHeld && _releasing == 0
                && _adjustment is null && _heldSenders is not { Count: > 0 };
            if (retired)
            {
                _retired = true;
            }
        }

        for (var i = 0; i < (stale?.Count ?? 0); i++)
        {
            await DisposeConnectionAsync(stale![i]).ConfigureAwait(false);
            GiveBack(leases![i]);
        }

        if (!retired)
        {
            // A second look each tick, once idle connections have made room: jobs waiting with
            // room for a worker get one, whatever wake-up was missed.
            lock (_lock)
            {
                start = _retired ? null : StartWorkersLocked();
            }

            Launch(start);
        }

        return retired;
    }
}
