using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Sluice.Core.State;
using Sluice.Core.Templates;

namespace Sluice.Benchmarks;

/// <summary>
/// Rendering a stored template per message: parsing it every time (no cache) against taking the
/// compiled template from <see cref="TemplateCache"/>. Same template, same variables.
/// </summary>
[MemoryDiagnoser]
public class TemplateRendering
{
    private const string Subject = "Your order {{ order.id }} has shipped, {{ customer.first_name }}";
    private const string Html = """
        <html><body><h1>Hi {{ customer.first_name }},</h1>
        <p>Order {{ order.id }} is on its way.</p>
        <table>{% for item in order.items %}<tr><td>{{ item.name }}</td><td>{{ item.qty }}</td><td>{{ item.price }}</td></tr>{% endfor %}</table>
        {% if customer.vip %}<p>Thanks for being a VIP.</p>{% endif %}
        </body></html>
        """;
    private const string Text = "Hi {{ customer.first_name }}, order {{ order.id }} ships with {{ order.items | size }} items.";

    private readonly TemplateEngine _engine = new();
    private TemplateCache _cache = null!;
    private JsonElement _variables;

    [GlobalSetup]
    public void Setup()
    {
        var store = new OneTemplateStore(new Template("t1", 1, "shipped", Subject, Html, Text, DateTimeOffset.UnixEpoch));
        _cache = new TemplateCache(store, _engine, new Core.Telemetry.SluiceMetrics(new NullMeterFactory()));
        _variables = JsonDocument.Parse("""
            { "customer": { "first_name": "Ann", "vip": true },
              "order": { "id": "A-1042", "items": [ { "name": "Kettle", "qty": 1, "price": "39.00" }, { "name": "Mug", "qty": 4, "price": "6.50" } ] } }
            """).RootElement.Clone();
    }

    [Benchmark(Baseline = true)]
    public async Task<string?> ParseEveryTime()
    {
        var (template, _) = _engine.Compile("t1", 1, Subject, Html, Text);
        return (await TemplateEngine.RenderAsync(template!, _variables)).Parts?.Html;
    }

    [Benchmark]
    public async Task<string?> FromCache()
    {
        var (template, _) = await _cache.GetAsync("t1", null, CancellationToken.None);
        return (await TemplateEngine.RenderAsync(template!, _variables)).Parts?.Html;
    }

    private sealed class OneTemplateStore(Template template) : ITemplateStore
    {
        public Task AddAsync(Template version, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<Template?> GetTemplateAsync(string id, int? version, CancellationToken cancellationToken) => Task.FromResult<Template?>(template);

        public Task<IReadOnlyList<Template>> ListTemplatesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Template>>([template]);

        public Task<bool> DeleteTemplateAsync(string id, CancellationToken cancellationToken) => Task.FromResult(false);
    }

    private sealed class NullMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
