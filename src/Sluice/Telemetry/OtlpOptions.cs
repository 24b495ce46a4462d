namespace Sluice.Telemetry;

/// <summary>The <c>Metrics:Otlp</c> section: push the node's metrics over OTLP to a collector (off while <see cref="Endpoint"/> is unset).</summary>
public sealed class OtlpOptions
{
    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://otel-collector:4318/v1/metrics</c> (HTTP).</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>Grpc</c> or <c>HttpProtobuf</c>.</summary>
    public OtlpProtocolName Protocol { get; set; } = OtlpProtocolName.Grpc;

    /// <summary>How often the metrics are pushed.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Headers sent with each export (<c>key=value</c> pairs separated by commas), e.g. an API key of the backend. Never logged.</summary>
    public string? Headers { get; set; }
}
