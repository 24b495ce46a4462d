namespace Sluice.Core;

/// <summary>The one doubling wait between tries of something that failed (a write, a post).</summary>
public static class Backoff
{
    /// <summary><paramref name="first"/> × 2^(attempt − 1), at most <paramref name="most"/>; <paramref name="attempt"/> counts from 1.</summary>
    public static TimeSpan Doubling(TimeSpan first, TimeSpan most, int attempt)
        => TimeSpan.FromMilliseconds(Math.Min(most.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30))));
}
