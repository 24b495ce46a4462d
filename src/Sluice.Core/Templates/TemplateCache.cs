using System.Collections.Concurrent;
using Sluice.Core.State;
using Sluice.Core.Telemetry;

namespace Sluice.Core.Templates;

/// <summary>
/// Compiled templates by id and version, at most <c>capacity</c> of them (least recently used
/// out first). A stored version never changes, so an entry never goes stale; deleting a template
/// evicts all of its versions. Rendering from the cache never parses.
/// </summary>
public sealed class TemplateCache(ITemplateStore store, TemplateEngine engine, SluiceMetrics metrics, int capacity = 1000)
{
    private readonly ConcurrentDictionary<(string Id, int Version), Entry> _entries = new();
    private readonly ConcurrentDictionary<string, int> _latest = new(StringComparer.Ordinal);
    private long _clock;

    public int Count => _entries.Count;

    /// <summary>The compiled version (the newest when <paramref name="version"/> is null); null when there is no such template.</summary>
    public async Task<(CompiledTemplate? Template, TemplateError? Error)> GetAsync(string id, int? version, CancellationToken cancellationToken)
    {
        var wanted = version ?? (_latest.TryGetValue(id, out var latest) ? latest : (int?)null);
        if (wanted is { } v && _entries.TryGetValue((id, v), out var cached))
        {
            cached.LastUsed = Interlocked.Increment(ref _clock);
            metrics.TemplateCache.Add(1, new KeyValuePair<string, object?>("result", "hit"));
            return (cached.Template, null);
        }

        metrics.TemplateCache.Add(1, new KeyValuePair<string, object?>("result", "miss"));
        if (await store.GetTemplateAsync(id, version, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return (null, null);
        }

        var (compiled, error) = engine.Compile(stored.Id, stored.Version, stored.Subject, stored.Html, stored.Text);
        if (compiled is null)
        {
            return (null, error);
        }

        Add(compiled, isLatest: version is null);
        return (compiled, null);
    }

    /// <summary>Puts a just-stored version in (saves the parse on first use).</summary>
    public void Add(CompiledTemplate template, bool isLatest)
    {
        ArgumentNullException.ThrowIfNull(template);
        _entries[(template.Id, template.Version)] = new Entry(template) { LastUsed = Interlocked.Increment(ref _clock) };
        if (isLatest)
        {
            _latest.AddOrUpdate(template.Id, template.Version, (_, v) => Math.Max(v, template.Version));
        }

        while (_entries.Count > capacity)
        {
            var oldest = _entries.MinBy(e => e.Value.LastUsed);
            _entries.TryRemove(oldest.Key, out _);
        }
    }

    /// <summary>Drops every compiled template (shared state may have changed unseen: ADR 0032).</summary>
    public void Clear()
    {
        _latest.Clear();
        _entries.Clear();
    }

    public void Evict(string id)
    {
        _latest.TryRemove(id, out _);
        foreach (var key in _entries.Keys)
        {
            if (key.Id == id)
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed class Entry(CompiledTemplate template)
    {
        public CompiledTemplate Template { get; } = template;

        public long LastUsed { get; set; }
    }
}
