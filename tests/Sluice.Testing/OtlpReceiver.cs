using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Sluice.Testing;

/// <summary>
/// An OTLP/HTTP metrics receiver for tests (no OTLP collector ships in Debian): takes
/// <c>POST /v1/metrics</c> (protobuf) and decodes, by the wire format of
/// opentelemetry-proto's <c>ExportMetricsServiceRequest</c>, each metric's name and its sum and
/// gauge points, and the resource's string attributes.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string Name, double Value)> _points = [];
    private readonly Dictionary<string, string> _resource = new(StringComparer.Ordinal);
    private readonly Task _serving;
    private int _posts;

    public OtlpReceiver()
    {
        Port = FreePort.Next(IPAddress.Loopback);
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/v1/metrics");

    public int Posts => Volatile.Read(ref _posts);

    /// <summary>The latest value of each point of <paramref name="name"/> summed over its points (cumulative sums: the newest export wins).</summary>
    public double? Latest(string name)
    {
        lock (_points)
        {
            var last = _points.FindLastIndex(p => p.Name == name);
            return last < 0 ? null : _points[last].Value;
        }
    }

    public HashSet<string> Names()
    {
        lock (_points)
        {
            return [.. _points.Select(p => p.Name)];
        }
    }

    public string? Resource(string key)
    {
        lock (_points)
        {
            return _resource.GetValueOrDefault(key);
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _serving.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body).ConfigureAwait(false);
            var ok = context.Request.Url?.AbsolutePath == "/v1/metrics" && context.Request.ContentType == "application/x-protobuf";
            if (ok)
            {
                lock (_points)
                {
                    Request(body.ToArray());
                }

                Interlocked.Increment(ref _posts);
            }

            context.Response.StatusCode = ok ? 200 : 400;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    // ExportMetricsServiceRequest: 1 = ResourceMetrics (repeated).
    private void Request(ReadOnlySpan<byte> message)
    {
        foreach (var (field, value) in Fields(message))
        {
            if (field == 1)
            {
                ResourceMetrics(value);
            }
        }
    }

    // ResourceMetrics: 1 = Resource (1 = KeyValue attributes), 2 = ScopeMetrics (2 = Metric).
    private void ResourceMetrics(byte[] message)
    {
        foreach (var (field, value) in Fields(message))
        {
            if (field == 1)
            {
                foreach (var (f, kv) in Fields(value))
                {
                    if (f == 1 && KeyValue(kv) is { } pair)
                    {
                        _resource[pair.Key] = pair.Value;
                    }
                }
            }
            else if (field == 2)
            {
                foreach (var (f, metric) in Fields(value))
                {
                    if (f == 2)
                    {
                        Metric(metric);
                    }
                }
            }
        }
    }

    // Metric: 1 = name, 5 = Gauge, 7 = Sum (each: 1 = NumberDataPoint: 4 = as_double, 6 = as_int).
    private void Metric(byte[] message)
    {
        string? name = null;
        double? total = null;
        foreach (var (field, value) in Fields(message))
        {
            if (field == 1)
            {
                name = Encoding.UTF8.GetString(value);
            }
            else if (field is 5 or 7)
            {
                foreach (var (f, point) in Fields(value))
                {
                    if (f == 1)
                    {
                        total = (total ?? 0) + Number(point);
                    }
                }
            }
        }

        if (name is not null)
        {
            _points.Add((name, total ?? double.NaN));
        }
    }

    private static double Number(byte[] point)
    {
        var span = point.AsSpan();
        var position = 0;
        while (position < span.Length)
        {
            var key = Varint(span, ref position);
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    Varint(span, ref position);
                    break;
                case 1:
                    var bits = BinaryPrimitives.ReadInt64LittleEndian(span[position..]);
                    position += 8;
                    if (field == 4)
                    {
                        return BitConverter.Int64BitsToDouble(bits);
                    }

                    if (field == 6)
                    {
                        return bits;
                    }

                    break;
                case 2:
                    position += (int)Varint(span, ref position);
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wire}");
            }
        }

        return 0;
    }

    private static (string Key, string Value)? KeyValue(byte[] message)
    {
        string? key = null, text = null;
        foreach (var (field, value) in Fields(message))
        {
            if (field == 1)
            {
                key = Encoding.UTF8.GetString(value);
            }
            else if (field == 2)
            {
                foreach (var (f, v) in Fields(value))
                {
                    if (f == 1)
                    {
                        text = Encoding.UTF8.GetString(v);
                    }
                }
            }
        }

        return key is null || text is null ? null : (key, text);
    }

    /// <summary>The length-delimited fields of a message (others are skipped): field number and bytes.</summary>
    private static List<(int Field, byte[] Value)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, byte[])>();
        var position = 0;
        while (position < message.Length)
        {
            var key = Varint(message, ref position);
            switch ((int)(key & 7))
            {
                case 0:
                    Varint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    fields.Add(((int)(key >> 3), message.Slice(position, length).ToArray()));
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"wire type {key & 7}");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
