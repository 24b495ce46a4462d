using Sluice.Core.Telemetry;
using Sluice.Testing;

namespace Sluice.Core.Tests;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Export_CountersGaugesHistograms_InTextFormat()
    {
        using var factory = new TestMeterFactory();
        var metrics = new SluiceMetrics(factory);
        using var exporter = new PrometheusExporter(metrics.Meter);

        metrics.Commands.Add(2, new KeyValuePair<string, object?>("verb", "EHLO"));
        metrics.Commands.Add(1, new KeyValuePair<string, object?>("verb", "MAIL"));
        metrics.ConnectionsCurrent.Add(3);
        metrics.ConnectionsCurrent.Add(-1);
        metrics.SpoolWriteDuration.Record(0.003);
        metrics.SpoolWriteDuration.Record(0.3);
        metrics.ObserveQueueDepth(() => 42);

        var text = exporter.Export();

        Assert.Contains("# TYPE sluice_smtp_commands_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_smtp_commands_total{verb=\"EHLO\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_smtp_commands_total{verb=\"MAIL\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sluice_smtp_connections_current gauge\nsluice_smtp_connections_current 2\n", text.Split("# HELP sluice_smtp_connections_current")[1].Split('\n', 2)[1], StringComparison.Ordinal);
        Assert.Contains("sluice_spool_write_duration_bucket{le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_spool_write_duration_bucket{le=\"0.25\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_spool_write_duration_bucket{le=\"0.5\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_spool_write_duration_bucket{le=\"+Inf\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_spool_write_duration_count 2\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_queue_depth 42\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_messages_accepted_total 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_SameTagsInAnyOrderOrMoreThanFour_OneSeriesPerLabelSet()
    {
        using var factory = new TestMeterFactory();
        var metrics = new SluiceMetrics(factory);
        using var exporter = new PrometheusExporter(metrics.Meter);
        KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

        metrics.DeliveryOutcomes.Add(1, Tag("outcome", "delivered"), Tag("classification", "delivered"), Tag("site", "mx.example"), Tag("sender_domain", "a.example"));
        metrics.DeliveryOutcomes.Add(1, Tag("sender_domain", "a.example"), Tag("site", "mx.example"), Tag("classification", "delivered"), Tag("outcome", "delivered"));
        metrics.DeliveryOutcomes.Add(1, Tag("outcome", "delivered"), Tag("classification", "delivered"), Tag("site", "mx.example"), Tag("sender_domain", "b.example"));
        metrics.DeliveryOutcomes.Add(1, Tag("outcome", "delivered"), Tag("classification", "delivered"), Tag("site", "mx.example"), Tag("sender_domain", "b.example"), Tag("extra", 7));
        metrics.DeliveryOutcomes.Add(1, Tag("outcome", "delivered"), Tag("classification", "delivered"), Tag("site", "mx.example"), Tag("sender_domain", "b.example"), Tag("extra", 7));
        metrics.Commands.Add(1, Tag("verb", 5));
        metrics.Commands.Add(1, Tag("verb", 5));

        var text = exporter.Export();

        Assert.Contains("sluice_delivery_outcomes_total{classification=\"delivered\",outcome=\"delivered\",sender_domain=\"a.example\",site=\"mx.example\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_delivery_outcomes_total{classification=\"delivered\",outcome=\"delivered\",sender_domain=\"b.example\",site=\"mx.example\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_delivery_outcomes_total{classification=\"delivered\",extra=\"7\",outcome=\"delivered\",sender_domain=\"b.example\",site=\"mx.example\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("sluice_smtp_commands_total{verb=\"5\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_WithTheRuntimeMeter_IncludesProcessCpuAndGc()
    {
        using var factory = new TestMeterFactory();
        var metrics = new SluiceMetrics(factory);
        using var exporter = new PrometheusExporter(metrics.Meter, ["System.Runtime"]);
        GC.Collect();

        var text = exporter.Export();

        Assert.Contains("# TYPE dotnet_process_cpu_time_total counter\n", text, StringComparison.Ordinal);
        Assert.Matches(@"dotnet_process_cpu_time_total\{cpu_mode=""user""\} [0-9.]+", text);
        Assert.Contains("dotnet_gc_collections_total{gc_heap_generation=", text, StringComparison.Ordinal);
        using var nodeOnly = new PrometheusExporter(metrics.Meter);
        Assert.DoesNotContain("dotnet_", nodeOnly.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void Export_EventsDropped_IsACounterOfTheLogsCount()
    {
        using var factory = new TestMeterFactory();
        var metrics = new SluiceMetrics(factory);
        using var exporter = new PrometheusExporter(metrics.Meter);
        long dropped = 0;
        metrics.ObserveEventsDropped(() => dropped);

        Assert.Contains("sluice_events_dropped_total 0\n", exporter.Export(), StringComparison.Ordinal);
        dropped = 7;
        Assert.Contains("sluice_events_dropped_total 7\n", exporter.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void Export_LabelValues_AreEscaped()
    {
        using var factory = new TestMeterFactory();
        var metrics = new SluiceMetrics(factory);
        using var exporter = new PrometheusExporter(metrics.Meter);

        metrics.MessagesRejected.Add(1, new KeyValuePair<string, object?>("reason", "a\"b\\c\nd"));

        Assert.Contains("sluice_messages_rejected_total{reason=\"a\\\"b\\\\c\\nd\"} 1\n", exporter.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void Export_OtherMeters_AreNotIncluded()
    {
        using var factory = new TestMeterFactory();
        var metrics = new SluiceMetrics(factory);
        var other = new SluiceMetrics(factory);
        using var exporter = new PrometheusExporter(metrics.Meter);

        other.MessagesAccepted.Add(5);

        Assert.Contains("sluice_messages_accepted_total 0\n", exporter.Export(), StringComparison.Ordinal);
    }

    [Fact]
    public void Export_NodeWithoutPoolsOrBalancer_HasNoPoolOrBalanceSeries()
    {
        using var factory = new TestMeterFactory();
        var metrics = new SluiceMetrics(factory);
        using var exporter = new PrometheusExporter(metrics.Meter);
        Balancing.BalancerMetrics.Register(metrics.Meter, new Balancing.BalancerPoolSet([], TimeProvider.System, new Random(1)), "{message}", "in flight");

        var text = exporter.Export();

        Assert.DoesNotContain("sluice_pool_member_health 0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sluice_balance_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("sluice_pool_member_selected", text, StringComparison.Ordinal);

        // Once a pool picks, its series appear, labelled.
        metrics.PoolSelections.Add(1, new KeyValuePair<string, object?>("pool", "p"), new KeyValuePair<string, object?>("member", "m"));
        Assert.Contains("sluice_pool_member_selected_total{member=\"m\",pool=\"p\"} 1\n", exporter.Export(), StringComparison.Ordinal);
    }
}
