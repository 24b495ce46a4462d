using System.Collections.Concurrent;
using Sluice.Delivery.MtaSts;

namespace Sluice.Delivery.TlsReporting;

/// <summary>
/// This node's outbound TLS sessions per recipient (policy) domain since the last report: how many
/// negotiated TLS, how many failed and why (by result type, MX host and addresses). A session counts
/// for the domain whose mail opened it. Reports are made from it and it starts afresh.
/// </summary>
public sealed class TlsReportLedger(Func<string, MtaStsPolicy?> cachedPolicy, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DomainResults> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _periodLock = new();
    private DateTimeOffset _since = time.GetUtcNow();

    /// <summary>Most domains kept at once (a node relaying for the world stays bounded; the rest are not reported).</summary>
    public const int MaxDomains = 50_000;

    public void Succeeded(string domain) => For(domain)?.Succeeded();

    public void Failed(string domain, string resultType, string? mxHost, string? receivingIp, string? sendingIp, string? detail)
        => For(domain)?.Failed(new FailureKey(resultType, mxHost, receivingIp, sendingIp), detail);

    /// <summary>Everything counted since the last take, and the time it began; the ledger starts afresh.</summary>
    public (DateTimeOffset Since, DateTimeOffset Until, List<DomainReport> Domains) Take()
    {
        var until = time.GetUtcNow();
        DateTimeOffset since;
        lock (_periodLock)
        {
            (since, _since) = (_since, until);
        }

        var reports = new List<DomainReport>();
        foreach (var domain in _domains.Keys)
        {
            if (_domains.TryRemove(domain, out var results))
            {
                reports.Add(results.Report(domain, cachedPolicy(domain)));
            }
        }

        return (since, until, reports);
    }

    private DomainResults? For(string domain)
        => _domains.TryGetValue(domain, out var known) ? known
            : _domains.Count >= MaxDomains ? null
            : _domains.GetOrAdd(domain, static _ => new DomainResults());

    /// <summary>One failure bucket of a report.</summary>
    public readonly record struct FailureKey(string ResultType, string? MxHost, string? ReceivingIp, string? SendingIp);

    /// <summary>A domain's counts for one report.</summary>
    public sealed record DomainReport(string Domain, MtaStsPolicy? Policy, long Successful, long Failed, IReadOnlyList<(FailureKey Key, long Count, string? Detail)> Failures);

    private sealed class DomainResults
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<FailureKey, (long Count, string? Detail)> _failures = [];
        private long _successful;
        private long _failed;

        public void Succeeded() => Interlocked.Increment(ref _successful);

        public void Failed(FailureKey key, string? detail)
        {
            lock (_lock)
            {
                _failed++;
                var (count, _) = _failures.GetValueOrDefault(key);
                _failures[key] = (count + 1, detail);
            }
        }

        public DomainReport Report(string domain, MtaStsPolicy? policy)
        {
            lock (_lock)
            {
                return new DomainReport(domain, policy, Interlocked.Read(ref _successful), _failed, [.. _failures.Select(f => (f.Key, f.Value.Count, f.Value.Detail))]);
            }
        }
    }
}
