namespace Sluice.Telemetry;

/// <summary>The <c>Metrics</c> section: export besides <c>/metrics</c>.</summary>
public sealed class MetricsOptions
{
    public OtlpOptions Otlp { get; set; } = new();
}
