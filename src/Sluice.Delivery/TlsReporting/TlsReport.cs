using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Sluice.Delivery.MtaSts;

namespace Sluice.Delivery.TlsReporting;

/// <summary>One domain's SMTP TLS report (RFC 8460 §4.4) as JSON, and gzipped as it is sent.</summary>
internal static class TlsReport
{
    public static byte[] Json(TlsReportLedger.DomainReport report, string organization, string? contact, string reportId, DateTimeOffset since, DateTimeOffset until)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("organization-name", organization);
            json.WriteStartObject("date-range");
            json.WriteString("start-datetime", Stamp(since));
            json.WriteString("end-datetime", Stamp(until));
            json.WriteEndObject();
            json.WriteString("contact-info", contact ?? "postmaster@" + organization);
            json.WriteString("report-id", reportId);
            json.WriteStartArray("policies");
            json.WriteStartObject();
            json.WriteStartObject("policy");
            if (report.Policy is { Mode: not MtaStsMode.None } policy)
            {
                json.WriteString("policy-type", "sts");
                json.WriteStartArray("policy-string");
                json.WriteStringValue("version: STSv1");
                json.WriteStringValue("mode: " + (policy.Mode == MtaStsMode.Enforce ? "enforce" : "testing"));
                foreach (var mx in policy.Mx)
                {
                    json.WriteStringValue("mx: " + mx);
                }

                json.WriteStringValue("max_age: " + ((long)policy.MaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                json.WriteEndArray();
                json.WriteString("policy-domain", report.Domain);
                json.WriteStartArray("mx-host");
                foreach (var mx in policy.Mx)
                {
                    json.WriteStringValue(mx);
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteString("policy-type", "no-policy-found");
                json.WriteString("policy-domain", report.Domain);
            }

            json.WriteEndObject();
            json.WriteStartObject("summary");
            json.WriteNumber("total-successful-session-count", report.Successful);
            json.WriteNumber("total-failure-session-count", report.Failed);
            json.WriteEndObject();
            json.WriteStartArray("failure-details");
            foreach (var (key, count, detail) in report.Failures)
            {
                json.WriteStartObject();
                json.WriteString("result-type", key.ResultType);
                WriteIf(json, "sending-mta-ip", key.SendingIp);
                WriteIf(json, "receiving-mx-hostname", key.MxHost);
                WriteIf(json, "receiving-ip", key.ReceivingIp);
                json.WriteNumber("failed-session-count", count);
                WriteIf(json, "additional-information", detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Gzip(byte[] json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(json);
        }

        return output.ToArray();
    }

    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteIf(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
