namespace Sluice.Core.Threading;

/// <summary>
/// A 64-bit value that only moves one way, shared between threads without a lock: a high-water
/// mark, an earliest due time, a start that may only be put off.
/// </summary>
public static class AtomicBound
{
    /// <summary>Raises <paramref name="location"/> to <paramref name="value"/> unless it is already as high.</summary>
    public static void RaiseTo(ref long location, long value)
    {
        var seen = Volatile.Read(ref location);
        while (seen < value)
        {
            var was = Interlocked.CompareExchange(ref location, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    /// <summary>Lowers <paramref name="location"/> to <paramref name="value"/> unless it is already as low.</summary>
    public static void LowerTo(ref long location, long value)
    {
        var seen = Volatile.Read(ref location);
        while (seen > value)
        {
            var was = Interlocked.CompareExchange(ref location, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}
