using Sluice.Core.Telemetry;

namespace Sluice.Http;

/// <summary>
/// The process's <see cref="PrometheusExporter"/>: its own meter (no process-wide statics) and the
/// runtime's <c>System.Runtime</c> meter (CPU time, memory, GC, thread pool, exceptions:
/// <c>dotnet_*</c> series).
/// </summary>
internal sealed class MetricsExporter(SluiceMetrics metrics) : IDisposable
{
    private readonly PrometheusExporter _exporter = new(metrics.Meter, ["System.Runtime"]);

    public string Export() => _exporter.Export();

    public void Dispose() => _exporter.Dispose();
}
