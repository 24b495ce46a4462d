namespace Sluice.Core.Balancing;

/// <summary>
/// The smooth weighted round robin step (nginx's): every candidate's running score grows by its
/// weight, the highest score wins and loses the total. Weights 2 and 3 give 40% / 60% interleaved
/// (B A B A B) instead of in bursts; a weight of 0 is never picked.
/// </summary>
internal static class SmoothWeighted
{
    /// <summary>The index picked; <paramref name="current"/> holds the running scores and is updated.</summary>
    public static int Pick(ReadOnlySpan<int> weights, Span<long> current)
    {
        var best = -1;
        long total = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var weight = Math.Max(0, weights[i]);
            total += weight;
            current[i] += weight;
            if (weight > 0 && (best < 0 || current[i] > current[best]))
            {
                best = i;
            }
        }

        if (best >= 0)
        {
            current[best] -= total;
        }

        return best;
    }
}
