using System.Collections.Concurrent;

namespace Sluice.Core.State;

/// <summary>
/// The suppression list in memory, so that RCPT and each delivery check it without I/O (the SMTP
/// session stays synchronous between reads). Loaded from the store at start and kept current by
/// this node's own changes; a cluster refreshes it from the shared store.
/// </summary>
public sealed class SuppressionList
{
    private readonly ConcurrentDictionary<string, Suppression[]> _byAddress = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _byAddress.Count;

    public void Replace(IEnumerable<Suppression> all)
    {
        ArgumentNullException.ThrowIfNull(all);
        _byAddress.Clear();
        Add(all);
    }

    public void Add(IEnumerable<Suppression> suppressions)
    {
        ArgumentNullException.ThrowIfNull(suppressions);
        foreach (var s in suppressions)
        {
            _byAddress.AddOrUpdate(
                s.Address,
                _ => [s],
                (_, existing) => [.. existing.Where(e => !string.Equals(e.Scope, s.Scope, StringComparison.OrdinalIgnoreCase)), s]);
        }
    }

    /// <summary>Sets one address's entries to what the store holds now (none: the address is no longer suppressed).</summary>
    public void ReplaceAddress(string address, IReadOnlyCollection<Suppression> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            _byAddress.TryRemove(address, out _);
        }
        else
        {
            _byAddress[address] = [.. entries];
        }
    }

    public void Remove(string address, string? scope)
    {
        while (_byAddress.TryGetValue(address, out var existing))
        {
            var left = existing.Where(e => !string.Equals(e.Scope, scope, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (left.Length == 0 ? _byAddress.TryRemove(new KeyValuePair<string, Suppression[]>(address, existing)) : _byAddress.TryUpdate(address, left, existing))
            {
                return;
            }
        }
    }

    /// <summary>The entry that stops mail from <paramref name="sender"/> to <paramref name="recipient"/> now, or null.</summary>
    public Suppression? Find(string recipient, string? sender, DateTimeOffset now)
    {
        if (_byAddress.IsEmpty || !_byAddress.TryGetValue(recipient, out var entries))
        {
            return null;
        }

        var at = sender?.LastIndexOf('@') ?? -1;
        var senderDomain = at < 0 ? null : sender![(at + 1)..];
        foreach (var entry in entries)
        {
            if (entry.Applies(senderDomain, now))
            {
                return entry;
            }
        }

        return null;
    }
}
