using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Sluice.Core.Telemetry;

namespace Sluice.Telemetry;

/// <summary>
/// OTLP push of the same instruments <c>/metrics</c> shows (the <c>Sluice</c> meter and the runtime's
/// <c>System.Runtime</c>), through the OpenTelemetry SDK with its stable OTLP exporter, when
/// <c>Metrics:Otlp:Endpoint</c> is set (ADR 0025). The resource names the service <c>sluice</c> and
/// the node (its SMTP hostname) as the instance.
/// </summary>
internal static class OtlpMetricsExport
{
    public static void Add(IServiceCollection services, OtlpOptions options, string hostname)
    {
        if (options.Endpoint is not { } endpoint)
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("sluice", serviceVersion: typeof(OtlpMetricsExport).Assembly.GetName().Version?.ToString(), serviceInstanceId: hostname))
            .WithMetrics(metrics => metrics
                .AddMeter(SluiceMetrics.MeterName, "System.Runtime")
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = new Uri(endpoint);
                    exporter.Protocol = options.Protocol == OtlpProtocolName.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    exporter.Headers = options.Headers;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.Interval.TotalMilliseconds;
                    reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                }));
    }
}
