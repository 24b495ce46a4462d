using System.Collections.Concurrent;
using Sluice.Core.Cluster;
using Sluice.Core.State;
using Sluice.Core.Telemetry;

namespace Sluice.Core.Templates;

/// <summary>
/// Compiled templates by id and version, at most <c>capacity</c> of them (least recently used
/// out first). A stored version never changes, so an entry never goes stale; deleting a template
/// evicts all of its versions. Rendering from the cache never parses. In a cluster, a miss looks in
/// the second-level cache (the version's stored text, and which version is the newest) before the
/// database; a change to a template drops its whole scope there (ids and version numbers come back
/// after a delete, so a scope's generation, not the version, tells old from new).
/// </summary>
public sealed class TemplateCache
{
    private static readonly TimeSpan SharedFor = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<(string Id, int Version), Entry> _entries = new();
    private readonly ConcurrentDictionary<string, int> _latest = new(StringComparer.Ordinal);
    private readonly ITemplateStore _store;
    private readonly TemplateEngine _engine;
    private readonly SluiceMetrics _metrics;
    private readonly int _capacity;
    private readonly ISharedCache? _shared;
    private long _clock;

    // Counts evictions. A newest version read or stored before an eviction may have been overtaken by
    // the change that caused it (in a cluster, another node's commit announced before this node's own
    // caught up), so it is then kept by its version only, never as the newest.
    private long _epoch;

    /// <param name="shared">The cluster's second-level cache; only where templates themselves are shared (a cluster database), else null.</param>
    public TemplateCache(ITemplateStore store, TemplateEngine engine, SluiceMetrics metrics, int capacity = 1000, ISharedCache? shared = null)
    {
        _store = store;
        _engine = engine;
        _metrics = metrics;
        _capacity = capacity;
        _shared = shared;
        shared.FollowInvalidations(SharedCacheKind.Template, Evict);
    }

    public int Count => _entries.Count;

    /// <summary>Where the eviction count stands; read before storing a version, handed to <see cref="Add"/>.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>The compiled version (the newest when <paramref name="version"/> is null); null when there is no such template.</summary>
    public async Task<(CompiledTemplate? Template, TemplateError? Error)> GetAsync(string id, int? version, CancellationToken cancellationToken)
    {
        var epoch = Epoch;
        var wanted = version ?? (_latest.TryGetValue(id, out var latest) ? latest : (int?)null);
        if (wanted is { } v && _entries.TryGetValue((id, v), out var cached))
        {
            cached.LastUsed = Interlocked.Increment(ref _clock);
            _metrics.TemplateCache.Add(1, new KeyValuePair<string, object?>("result", "hit"));
            return (cached.Template, null);
        }

        var (stored, generation) = await FromSharedAsync(id, version).ConfigureAwait(false);
        if (stored is not null)
        {
            _metrics.TemplateCache.Add(1, new KeyValuePair<string, object?>("result", "shared"));
        }
        else
        {
            _metrics.TemplateCache.Add(1, new KeyValuePair<string, object?>("result", "miss"));
            if (await _store.GetTemplateAsync(id, version, cancellationToken).ConfigureAwait(false) is not { } fromStore)
            {
                return (null, null);
            }

            stored = fromStore;
            Share(stored, isLatest: version is null, generation);
        }

        var (compiled, error) = _engine.Compile(stored.Id, stored.Version, stored.Subject, stored.Html, stored.Text);
        if (compiled is null)
        {
            return (null, error);
        }

        Keep(compiled, asLatest: version is null && Epoch == epoch);
        return (compiled, null);
    }

    /// <summary>
    /// Puts a just-stored version in (saves the parse on first use): as the newest only if nothing was
    /// evicted since <paramref name="epoch"/> (<see cref="Epoch"/> read before the store). Else another
    /// node's newer version may have been announced before this one was added, and would be hidden.
    /// </summary>
    public void Add(CompiledTemplate template, long epoch)
    {
        ArgumentNullException.ThrowIfNull(template);
        Keep(template, asLatest: Epoch == epoch);
    }

    private void Keep(CompiledTemplate template, bool asLatest)
    {
        _entries[(template.Id, template.Version)] = new Entry(template) { LastUsed = Interlocked.Increment(ref _clock) };
        if (asLatest)
        {
            _latest.AddOrUpdate(template.Id, template.Version, (_, v) => Math.Max(v, template.Version));
        }

        while (_entries.Count > _capacity)
        {
            var oldest = _entries.MinBy(e => e.Value.LastUsed);
            _entries.TryRemove(oldest.Key, out _);
        }
    }

    /// <summary>Drops every compiled template (shared state may have changed unseen: ADR 0032).</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _epoch);
        _latest.Clear();
        _entries.Clear();
    }

    /// <summary>A template changed or was deleted: dropped from the shared cache first (every node hears of it), then from this one.</summary>
    public async Task EvictAsync(string id)
    {
        if (_shared is not null)
        {
            await _shared.InvalidateAsync(SharedCacheKind.Template, id).ConfigureAwait(false);
        }

        Evict(id);
    }

    /// <summary>The stored version another node read (the newest when <paramref name="version"/> is null), and the scope's generation to put a miss back under.</summary>
    private async Task<(Template? Stored, long Generation)> FromSharedAsync(string id, int? version)
    {
        if (_shared is null)
        {
            return (null, 0);
        }

        var generation = 0L;
        var askedLatest = version is null;
        int wanted;
        if (version is { } given)
        {
            wanted = given;
        }
        else
        {
            var latest = await _shared.GetAsync(new SharedCacheKey(SharedCacheKind.Template, id, "latest")).ConfigureAwait(false);
            generation = latest.Generation;
            if (latest.Value is not { } bytes || !int.TryParse(System.Text.Encoding.ASCII.GetString(bytes), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var newest))
            {
                return (null, generation);
            }

            wanted = newest;
        }

        var entry = await _shared.GetAsync(new SharedCacheKey(SharedCacheKind.Template, id, Name(wanted))).ConfigureAwait(false);
        if (askedLatest && entry.Generation != generation)
        {
            // The scope moved on between the two reads: neither is trusted.
            return (null, entry.Generation);
        }

        try
        {
            return (entry.Value is { } text ? System.Text.Json.JsonSerializer.Deserialize(text, TemplateJson.Default.Template) : null, entry.Generation);
        }
        catch (System.Text.Json.JsonException)
        {
            return (null, entry.Generation);
        }
    }

    private void Share(Template stored, bool isLatest, long generation)
    {
        if (_shared is null)
        {
            return;
        }

        _shared.Put(new SharedCacheKey(SharedCacheKind.Template, stored.Id, Name(stored.Version)), generation, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(stored, TemplateJson.Default.Template), SharedFor);
        if (isLatest)
        {
            _shared.Put(new SharedCacheKey(SharedCacheKind.Template, stored.Id, "latest"), generation, System.Text.Encoding.ASCII.GetBytes(stored.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)), SharedFor);
        }
    }

    private static string Name(int version) => string.Concat("v", version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Evict(string id)
    {
        Interlocked.Increment(ref _epoch);
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
