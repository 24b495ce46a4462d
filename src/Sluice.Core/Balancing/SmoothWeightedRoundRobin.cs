namespace Sluice.Core.Balancing;

/// <summary>
/// Smooth weighted round robin over a fixed list (egress pools): see <see cref="SmoothWeighted"/>.
/// Pools whose members come and go with health use <see cref="WeightedRoundRobinPolicy"/>.
/// </summary>
public sealed class SmoothWeightedRoundRobin<T>
{
    private readonly T[] _members;
    private readonly int[] _weights;
    private readonly long[] _current;
    private readonly Lock _lock = new();

    public SmoothWeightedRoundRobin(IReadOnlyList<(T Member, int Weight)> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = [.. members.Select(m => m.Member)];
        _weights = [.. members.Select(m => Math.Max(0, m.Weight))];
        _current = new long[_members.Length];
        if (_weights.Sum(w => (long)w) == 0)
        {
            throw new ArgumentException("at least one member needs a positive weight", nameof(members));
        }
    }

    public T Next()
    {
        lock (_lock)
        {
            return _members[SmoothWeighted.Pick(_weights, _current)];
        }
    }

    /// <summary>The weighted choice if <paramref name="accept"/> takes it, else the first other member with a weight that it takes, else default.</summary>
    public T? Next(Func<T, bool> accept)
    {
        ArgumentNullException.ThrowIfNull(accept);
        var first = Next();
        if (accept(first))
        {
            return first;
        }

        for (var i = 0; i < _members.Length; i++)
        {
            if (_weights[i] > 0 && !EqualityComparer<T>.Default.Equals(_members[i], first) && accept(_members[i]))
            {
                return _members[i];
            }
        }

        return default;
    }
}
