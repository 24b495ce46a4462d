using FsCheck.Xunit;
using Sluice.Core.Threading;

namespace Sluice.Core.Tests.Threading;

public sealed class AtomicBoundTests
{
    /// <summary>Whatever values four threads offer at once, none is lost: the bound ends at their extreme (or where it started).</summary>
    [Property(MaxTest = 100)]
    public bool RaiseToAndLowerTo_ValuesFromFourThreadsAtOnce_EndAtTheExtreme(long start, long[] values)
    {
        var high = start;
        var low = start;
        using var go = new Barrier(4);
        var threads = new Thread[4];
        for (var t = 0; t < threads.Length; t++)
        {
            var offset = t;
            threads[t] = new Thread(() =>
            {
                go.SignalAndWait();
                for (var i = offset; i < values.Length; i += 4)
                {
                    AtomicBound.RaiseTo(ref high, values[i]);
                    AtomicBound.LowerTo(ref low, values[i]);
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        var expectedHigh = start;
        var expectedLow = start;
        foreach (var value in values)
        {
            expectedHigh = Math.Max(expectedHigh, value);
            expectedLow = Math.Min(expectedLow, value);
        }

        return high == expectedHigh && low == expectedLow;
    }
}
