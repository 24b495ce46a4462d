using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Sluice.Dashboard;

/// <summary>
/// Dashboard sign-ins: a random session id (the cookie) for the API key given at the login form,
/// kept in memory only — the key never goes to the browser after the form, and a restart signs
/// everyone out. A session lasts <see cref="Lifetime"/> since it was last used; each request still
/// checks the key itself, so a revoked key ends its sessions.
/// </summary>
internal sealed class DashboardSessions(TimeProvider time)
{
    public const string Cookie = "sluice_session";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);
    private const int MaxSessions = 10_000;
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Until)> _sessions = new(StringComparer.Ordinal);

    public string Create(string token)
    {
        if (_sessions.Count >= MaxSessions)
        {
            Prune();
        }

        var id = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _sessions[id] = (token, time.GetUtcNow() + Lifetime);
        return id;
    }

    /// <summary>The API key of a live session (and its life extended), or null.</summary>
    public string? Token(string? id)
    {
        if (id is null || !_sessions.TryGetValue(id, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (session.Until <= now)
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        _sessions[id] = (session.Token, now + Lifetime);
        return session.Token;
    }

    public void Remove(string? id)
    {
        if (id is not null)
        {
            _sessions.TryRemove(id, out _);
        }
    }

    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (id, session) in _sessions)
        {
            if (session.Until <= now)
            {
                _sessions.TryRemove(id, out _);
            }
        }

        // Still full of live sessions: the oldest go, so that signing in always works.
        foreach (var (id, _) in _sessions.OrderBy(s => s.Value.Until).Take(_sessions.Count - (MaxSessions / 2)))
        {
            _sessions.TryRemove(id, out _);
        }
    }
}
