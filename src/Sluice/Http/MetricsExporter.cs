using Sluice.Core.Telemetry;

namespace Sluice.Http;

/// <summary>The node's <see cref="PrometheusExporter"/>, bound to its own meter (no process-wide statics).</summary>
internal sealed class MetricsExporter(SluiceMetrics metrics) : IDisposable
{
    private readonly PrometheusExporter _exporter = new(metrics.Meter);

    public string Export() => _exporter.Export();

    public void Dispose() => _exporter.Dispose();
}
