using System.Text.Json;
using Sluice.Core.State;
using Sluice.Core.Templates;

namespace Sluice.Core.Tests;

public sealed class TemplateCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetAsync_SecondTime_RendersWithoutParsingAgain()
    {
        var (cache, engine, store) = Create();
        await store.AddAsync(new Template("t1", 1, "welcome", "Hi {{ name }}", "<p>{{ name }}</p>", null, Now), CancellationToken.None);

        var first = (await cache.GetAsync("t1", null, CancellationToken.None)).Template!;
        var parsesAfterFirst = engine.Parses;
        for (var i = 0; i < 100; i++)
        {
            var again = (await cache.GetAsync("t1", null, CancellationToken.None)).Template!;
            var (parts, _) = await TemplateEngine.RenderAsync(again, Variables($$"""{ "name": "n{{i}}" }"""));
            Assert.Equal($"Hi n{i}", parts!.Subject);
        }

        Assert.Equal(2, parsesAfterFirst); // subject and html, once
        Assert.Equal(parsesAfterFirst, engine.Parses);
        Assert.Same(first, (await cache.GetAsync("t1", 1, CancellationToken.None)).Template);
        Assert.Equal(1, store.Reads);
    }

    [Fact]
    public async Task Evict_DeletedTemplate_IsReadAgainFromTheStore()
    {
        var (cache, _, store) = Create();
        await store.AddAsync(new Template("t1", 1, "x", null, null, "v1 {{ a }}", Now), CancellationToken.None);
        await cache.GetAsync("t1", null, CancellationToken.None);

        cache.Evict("t1");
        store.Remove("t1");

        Assert.Null((await cache.GetAsync("t1", null, CancellationToken.None)).Template);
    }

    [Fact]
    public async Task Capacity_OverTheBound_DropsTheLeastRecentlyUsed()
    {
        var (cache, engine, store) = Create(capacity: 2);
        foreach (var id in new[] { "a", "b", "c" })
        {
            await store.AddAsync(new Template(id, 1, id, null, null, id, Now), CancellationToken.None);
        }

        await cache.GetAsync("a", null, CancellationToken.None);
        await cache.GetAsync("b", null, CancellationToken.None);
        await cache.GetAsync("a", null, CancellationToken.None);
        await cache.GetAsync("c", null, CancellationToken.None);
        var parses = engine.Parses;

        await cache.GetAsync("a", null, CancellationToken.None);
        Assert.Equal(parses, engine.Parses);
        await cache.GetAsync("b", null, CancellationToken.None);
        Assert.Equal(parses + 1, engine.Parses);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Compile_SyntaxError_NamesPartLineAndReason()
    {
        var engine = new TemplateEngine();

        var (template, error) = engine.Compile("t", 1, "ok", "<p>\n{% if x %}unclosed\n</p>", null);

        Assert.Null(template);
        Assert.Equal("html", error!.Part);
        Assert.NotNull(error.Line);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
    }

    [Fact]
    public async Task Render_HtmlPart_EncodesValuesAndSubjectDoesNot()
    {
        var (template, _) = new TemplateEngine().Compile("t", 1, "For {{ who }}", "<p>{{ who }}</p>", "{{ who }}");

        var (parts, _) = await TemplateEngine.RenderAsync(template!, Variables("""{ "who": "Tom & <Jerry>" }"""));

        Assert.Equal("For Tom & <Jerry>", parts!.Subject);
        Assert.Equal("<p>Tom &amp; &lt;Jerry&gt;</p>", parts.Html);
        Assert.Equal("Tom & <Jerry>", parts.Text);
    }

    [Fact]
    public async Task Render_NestedObjectsAndLists_AreReachable()
    {
        var (template, _) = new TemplateEngine().Compile("t", 1, null, null, "{{ user.name }}: {% for item in items %}{{ item.sku }}x{{ item.qty }} {% endfor %}");

        var (parts, _) = await TemplateEngine.RenderAsync(template!, Variables("""{ "user": { "name": "Ann" }, "items": [ { "sku": "A1", "qty": 2 }, { "sku": "B2", "qty": 1 } ] }"""));

        Assert.Equal("Ann: A1x2 B2x1 ", parts!.Text);
    }

    private static JsonElement Variables(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public async Task GetAsync_AnotherNodeReadItFirst_ComesFromTheSharedCacheNotTheStore()
    {
        var shared = new Sluice.Testing.MemorySharedCache();
        var (first, _, store) = Create(shared: shared);
        var second = new TemplateCache(store, new TemplateEngine(), new Telemetry.SluiceMetrics(new Sluice.Testing.TestMeterFactory()), shared: shared);
        await store.AddAsync(new Template("t1", 1, "x", "v1 {{ a }}", null, null, Now), CancellationToken.None);

        await first.GetAsync("t1", null, CancellationToken.None);
        var latest = (await second.GetAsync("t1", null, CancellationToken.None)).Template!;
        var byVersion = (await second.GetAsync("t1", 1, CancellationToken.None)).Template!;

        Assert.Equal(1, store.Reads);
        Assert.Equal((1, 1), (latest.Version, byVersion.Version));
    }

    [Fact]
    public async Task EvictAsync_TemplateDeletedAndMadeAgain_NoNodeServesTheOldVersion()
    {
        var shared = new Sluice.Testing.MemorySharedCache();
        var (first, _, store) = Create(shared: shared);
        var second = new TemplateCache(store, new TemplateEngine(), new Telemetry.SluiceMetrics(new Sluice.Testing.TestMeterFactory()), shared: shared);
        await store.AddAsync(new Template("t1", 1, "x", "old {{ a }}", null, null, Now), CancellationToken.None);
        await first.GetAsync("t1", null, CancellationToken.None);
        await second.GetAsync("t1", 1, CancellationToken.None);

        // Deleted and made again under the same id: version 1 again, another text.
        store.Remove("t1");
        await first.EvictAsync("t1");
        await store.AddAsync(new Template("t1", 1, "x", "new {{ a }}", null, null, Now), CancellationToken.None);
        var (fresh, _) = await second.GetAsync("t1", 1, CancellationToken.None);
        var (parts, _) = await TemplateEngine.RenderAsync(fresh!, Variables("""{ "a": "!" }"""));

        Assert.Equal("new !", parts!.Subject);
    }

    [Fact]
    public async Task Add_AnotherNodesNewerVersionAnnouncedBeforeTheAdd_NewerOneServed()
    {
        var (cache, engine, store) = Create();
        var epoch = cache.Epoch;
        await store.AddAsync(new Template("t1", 2, "x", "two", null, null, Now), CancellationToken.None);

        // Another node stores version 3; both announcements arrive before this node adds its own version 2.
        await store.AddAsync(new Template("t1", 3, "x", "three", null, null, Now), CancellationToken.None);
        cache.Evict("t1");
        cache.Evict("t1");
        cache.Add(engine.Compile("t1", 2, "two", null, null).Template!, epoch);

        Assert.Equal(3, (await cache.GetAsync("t1", null, CancellationToken.None)).Template!.Version);
        Assert.Equal(2, (await cache.GetAsync("t1", 2, CancellationToken.None)).Template!.Version);
    }

    [Fact]
    public async Task Add_NothingEvictedSinceTheStore_ServedAsTheNewestWithoutAStoreRead()
    {
        var (cache, engine, store) = Create();
        var epoch = cache.Epoch;
        await store.AddAsync(new Template("t1", 1, "x", "one", null, null, Now), CancellationToken.None);

        cache.Add(engine.Compile("t1", 1, "one", null, null).Template!, epoch);

        Assert.Equal(1, (await cache.GetAsync("t1", null, CancellationToken.None)).Template!.Version);
        Assert.Equal(0, store.Reads);
    }

    [Fact]
    public async Task GetAsync_NewerVersionAnnouncedWhileReadingTheStore_NextReadServesTheNewer()
    {
        var (cache, _, store) = Create();
        await store.AddAsync(new Template("t1", 1, "x", "one", null, null, Now), CancellationToken.None);
        store.AfterRead = () =>
        {
            // Version 2 is committed and announced after the store answered with version 1.
            store.AfterRead = null;
            _ = store.AddAsync(new Template("t1", 2, "x", "two", null, null, Now), CancellationToken.None);
            cache.Evict("t1");
        };

        Assert.Equal(1, (await cache.GetAsync("t1", null, CancellationToken.None)).Template!.Version);
        Assert.Equal(2, (await cache.GetAsync("t1", null, CancellationToken.None)).Template!.Version);
    }

    private static (TemplateCache Cache, TemplateEngine Engine, MemoryTemplateStore Store) Create(int capacity = 1000, Cluster.ISharedCache? shared = null)
    {
        var engine = new TemplateEngine();
        var store = new MemoryTemplateStore();
        return (new TemplateCache(store, engine, new Telemetry.SluiceMetrics(new Sluice.Testing.TestMeterFactory()), capacity, shared), engine, store);
    }

    private sealed class MemoryTemplateStore : ITemplateStore
    {
        private readonly List<Template> _templates = [];

        public int Reads { get; private set; }

        /// <summary>Runs after a read has found its answer (an announcement arriving meanwhile).</summary>
        public Action? AfterRead { get; set; }

        public void Remove(string id) => _templates.RemoveAll(t => t.Id == id);

        public Task AddAsync(Template version, CancellationToken cancellationToken)
        {
            _templates.Add(version);
            return Task.CompletedTask;
        }

        public Task<Template?> GetTemplateAsync(string id, int? version, CancellationToken cancellationToken)
        {
            Reads++;
            var found = _templates.Where(t => t.Id == id && (version is null || t.Version == version)).MaxBy(t => t.Version);
            AfterRead?.Invoke();
            return Task.FromResult(found);
        }

        public Task<IReadOnlyList<Template>> ListTemplatesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Template>>(_templates);

        public Task<bool> DeleteTemplateAsync(string id, CancellationToken cancellationToken) => Task.FromResult(_templates.RemoveAll(t => t.Id == id) > 0);
    }
}
