using System.Net;
using System.Text.Json;

namespace Sluice.Delivery.Dns;

/// <summary>
/// An <see cref="MxResolution"/> as the bytes the cluster's second-level cache keeps (compact JSON:
/// domain, kind, expiry, detail, hosts with preference and addresses). Written and read by hand:
/// no reflection, and anything malformed reads as nothing (a miss), never as an error.
/// </summary>
internal static class MxResolutionCodec
{
    public static byte[] Encode(MxResolution resolution)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("d", resolution.Domain);
            json.WriteNumber("k", (int)resolution.Kind);
            json.WriteNumber("e", resolution.ExpiresAt.ToUnixTimeMilliseconds());
            if (resolution.Detail is { } detail)
            {
                json.WriteString("x", detail);
            }

            json.WriteStartArray("h");
            foreach (var host in resolution.Hosts)
            {
                json.WriteStartObject();
                json.WriteString("n", host.Name);
                json.WriteNumber("p", host.Preference);
                json.WriteStartArray("a");
                foreach (var address in host.Addresses)
                {
                    json.WriteStringValue(address.ToString());
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public static MxResolution? Decode(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var kind = (MxResolutionKind)root.GetProperty("k").GetInt32();
            if (!Enum.IsDefined(kind))
            {
                return null;
            }

            var hosts = new List<MxHost>();
            foreach (var host in root.GetProperty("h").EnumerateArray())
            {
                var addresses = new List<IPAddress>();
                foreach (var address in host.GetProperty("a").EnumerateArray())
                {
                    addresses.Add(IPAddress.Parse(address.GetString()!));
                }

                hosts.Add(new MxHost(host.GetProperty("n").GetString()!, host.GetProperty("p").GetInt32(), addresses));
            }

            var detail = root.TryGetProperty("x", out var x) ? x.GetString() : null;
            return new MxResolution(root.GetProperty("d").GetString()!, kind, hosts, DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("e").GetInt64()), detail);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or NullReferenceException)
        {
            return null;
        }
    }
}
