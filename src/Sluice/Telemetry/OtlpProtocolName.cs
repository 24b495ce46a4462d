namespace Sluice.Telemetry;

/// <summary>How OTLP travels: gRPC (port 4317 by convention) or protobuf over HTTP (4318, path /v1/metrics).</summary>
public enum OtlpProtocolName
{
    Grpc,
    HttpProtobuf,
}
