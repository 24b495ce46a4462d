using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sluice.Delivery.Events;

/// <summary>
/// Appends one JSON object per line to <c>events-YYYYMMDD.jsonl</c> in a folder, a new file each
/// UTC day (the rotation), for tailing, shipping to ELK, and per-message timelines.
/// </summary>
internal sealed class DeliveryEventLog : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string _folder;
    private readonly Lock _lock = new();
    private StreamWriter? _writer;
    private string? _day;

    public DeliveryEventLog(string folder)
    {
        _folder = folder;
        Directory.CreateDirectory(folder);
    }

    public void Write(DeliveryEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var line = JsonSerializer.Serialize(entry, Json);
        var day = entry.Time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        lock (_lock)
        {
            if (day != _day)
            {
                _writer?.Dispose();
                _writer = new StreamWriter(new FileStream(Path.Combine(_folder, $"events-{day}.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
                _day = day;
            }

            _writer!.WriteLine(line);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }
}
