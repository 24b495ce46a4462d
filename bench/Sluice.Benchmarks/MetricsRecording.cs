using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Sluice.Core.Telemetry;

namespace Sluice.Benchmarks;

/// <summary>
/// What one measurement on the hot path costs with each exporter listening: the node's own
/// Prometheus exporter (ADR 0004, 0022) against the OpenTelemetry SDK's aggregation (a reader that
/// collects rarely: the cost measured is the recording, as on the SMTP and delivery paths). One tag
/// is an SMTP command or reply; four are a delivery outcome.
/// </summary>
[MemoryDiagnoser]
public class MetricsRecording : IDisposable
{
    private static readonly string[] Verbs = ["EHLO", "MAIL", "RCPT", "DATA", "QUIT"];
    private static readonly string[] Domains = ["a.example", "b.example", "c.example"];
    private Meter _meter = null!;
    private Counter<long> _commands = null!;
    private Counter<long> _outcomes = null!;
    private PrometheusExporter? _own;
    private MeterProvider? _otel;
    private int _i;

    [Params("none", "sluice", "opentelemetry")]
    public string Listener { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _meter = new Meter("bench." + Listener);
        _commands = _meter.CreateCounter<long>("sluice.smtp.commands");
        _outcomes = _meter.CreateCounter<long>("sluice.delivery.outcomes");
        if (Listener == "sluice")
        {
            _own = new PrometheusExporter(_meter);
        }
        else if (Listener == "opentelemetry")
        {
            _otel = Sdk.CreateMeterProviderBuilder()
                .AddMeter(_meter.Name)
                .AddReader(new PeriodicExportingMetricReader(new InMemoryExporter<Metric>(new List<Metric>()), exportIntervalMilliseconds: 3_600_000))
                .Build();
        }
    }

    [Benchmark]
    public void CommandOneTag() => _commands.Add(1, new KeyValuePair<string, object?>("verb", Verbs[(uint)_i++ % (uint)Verbs.Length]));

    [Benchmark]
    public void OutcomeFourTags()
    {
        var i = _i++;
        _outcomes.Add(
            1,
            new KeyValuePair<string, object?>("outcome", "delivered"),
            new KeyValuePair<string, object?>("classification", "delivered"),
            new KeyValuePair<string, object?>("site", "mx.example"),
            new KeyValuePair<string, object?>("sender_domain", Domains[(uint)i % (uint)Domains.Length]));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _own?.Dispose();
        _otel?.Dispose();
        _meter?.Dispose();
        GC.SuppressFinalize(this);
    }
}
