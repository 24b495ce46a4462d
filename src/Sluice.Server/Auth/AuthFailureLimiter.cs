using System.Collections.Concurrent;
using System.Net;

namespace Sluice.Server.Auth;

/// <summary>
/// Counts failed AUTH attempts per client IP in a fixed window; past the limit, AUTH from that
/// IP is refused until the window ends, so password guessing costs the guesser time.
/// </summary>
internal sealed class AuthFailureLimiter(TimeProvider time, int maxFailures, TimeSpan window)
{
    private readonly ConcurrentDictionary<IPAddress, Window> _windows = new();

    public bool IsBlocked(IPAddress client)
        => _windows.TryGetValue(client, out var w) && w.Failures >= maxFailures && time.GetUtcNow() < w.Ends;

    public void RecordFailure(IPAddress client)
    {
        var now = time.GetUtcNow();
        _windows.AddOrUpdate(
            client,
            _ => new Window(1, now + window),
            (_, w) => now >= w.Ends ? new Window(1, now + window) : w with { Failures = w.Failures + 1 });
        if (_windows.Count > 100_000)
        {
            Prune(now);
        }
    }

    public void RecordSuccess(IPAddress client) => _windows.TryRemove(client, out _);

    private void Prune(DateTimeOffset now)
    {
        foreach (var (ip, w) in _windows)
        {
            if (now >= w.Ends)
            {
                _windows.TryRemove(ip, out _);
            }
        }
    }

    private sealed record Window(int Failures, DateTimeOffset Ends);
}
