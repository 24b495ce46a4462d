namespace Sluice.Core.Balancing;

/// <summary>
/// Smooth weighted round robin (nginx's): each pick adds every member's weight to its running
/// score, takes the highest, and subtracts the total from it. Weights 2 and 3 give 40% / 60% and
/// interleave (B A B A B) instead of bursting. Members of weight 0 are never picked.
/// </summary>
public sealed class SmoothWeightedRoundRobin<T>
{
    private readonly T[] _members;
    private readonly int[] _weights;
    private readonly long[] _current;
    private readonly long _total;
    private readonly Lock _lock = new();

    public SmoothWeightedRoundRobin(IReadOnlyList<(T Member, int Weight)> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        _members = [.. members.Select(m => m.Member)];
        _weights = [.. members.Select(m => Math.Max(0, m.Weight))];
        _current = new long[_members.Length];
        _total = _weights.Sum(w => (long)w);
        if (_total == 0)
        {
            throw new ArgumentException("at least one member needs a positive weight", nameof(members));
        }
    }

    public T Next()
    {
        lock (_lock)
        {
            var best = -1;
            for (var i = 0; i < _members.Length; i++)
            {
                _current[i] += _weights[i];
                if (_weights[i] > 0 && (best < 0 || _current[i] > _current[best]))
                {
                    best = i;
                }
            }

            _current[best] -= _total;
            return _members[best];
        }
    }
}
