using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Sluice.Core.Telemetry;

/// <summary>
/// Exposes one meter's instruments in the Prometheus text format 0.0.4 (ADR 0004): counters as
/// <c>_total</c> counters, up-down counters and gauges as gauges, histograms with the buckets of
/// their advice. Names are the instrument names with '.' → '_' (<c>sluice.smtp.commands</c> →
/// <c>sluice_smtp_commands_total</c>). Aggregation is in memory, one cell per label set; a
/// measurement with up to four tags finds its cell without building its label text (commands,
/// replies and outcomes are counted several times per message).
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    /// <param name="meter">The node's own meter.</param>
    /// <param name="processMeters">Process-wide meters exported too, by name (the runtime's <c>System.Runtime</c>: CPU, memory, GC, thread pool).</param>
    public PrometheusExporter(Meter meter, IReadOnlyCollection<string>? processMeters = null)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) || (processMeters is not null && processMeters.Contains(instrument.Meter.Name)))
            {
                _series.TryAdd(instrument, new Series(instrument));
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public string Export()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var series in _series.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            series.WriteTo(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Record(value, tags);
        }
    }

    private sealed class Series
    {
        private readonly Kind _kind;
        private readonly bool _observable;
        private readonly double[] _buckets;
        private readonly string _help;
        private readonly ConcurrentDictionary<string, Cell> _cells = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<TagKey, Cell> _byTags = new();

        public Series(Instrument instrument)
        {
            _observable = instrument.IsObservable;
            var baseName = instrument.Name.Replace('.', '_').Replace('-', '_');
            _kind = instrument switch
            {
                Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> => Kind.Counter,
                Histogram<long> or Histogram<int> or Histogram<double> => Kind.Histogram,
                _ => Kind.Gauge,
            };
            Name = _kind == Kind.Counter ? baseName + "_total" : baseName;
            _help = (instrument.Description ?? instrument.Name) + (string.IsNullOrEmpty(instrument.Unit) ? string.Empty : $" Unit: {instrument.Unit}.");
            _buckets = instrument switch
            {
                Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray() ?? DefaultBuckets,
                Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray() ?? DefaultBuckets,
                _ => [],
            };
        }

        public string Name { get; }

        private enum Kind
        {
            Counter,
            Gauge,
            Histogram,
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            Cell cell;
            if (tags.Length <= 4)
            {
                var key = new TagKey(
                    tags.Length > 0 ? tags[0].Key : null,
                    tags.Length > 0 ? tags[0].Value : null,
                    tags.Length > 1 ? tags[1].Key : null,
                    tags.Length > 1 ? tags[1].Value : null,
                    tags.Length > 2 ? tags[2].Key : null,
                    tags.Length > 2 ? tags[2].Value : null,
                    tags.Length > 3 ? tags[3].Key : null,
                    tags.Length > 3 ? tags[3].Value : null);
                if (!_byTags.TryGetValue(key, out cell!))
                {
                    cell = _cells.GetOrAdd(Labels(tags), _ => new Cell(_buckets.Length));
                    _byTags.TryAdd(key, cell);
                }
            }
            else
            {
                cell = _cells.GetOrAdd(Labels(tags), _ => new Cell(_buckets.Length));
            }

            lock (cell)
            {
                switch (_kind)
                {
                    // An observable counter reports its running total each time.
                    case Kind.Counter when _observable:
                        cell.Value = value;
                        break;
                    case Kind.Counter:
                        cell.Value += value;
                        break;
                    case Kind.Gauge when _observable:
                        cell.Value = value;
                        break;
                    case Kind.Gauge:
                        cell.Value += value;
                        break;
                    default:
                        cell.Value += value;
                        cell.Count++;
                        for (var i = 0; i < _buckets.Length; i++)
                        {
                            if (value <= _buckets[i])
                            {
                                cell.Buckets[i]++;
                                break;
                            }
                        }

                        break;
                }
            }
        }

        public void WriteTo(StringBuilder text)
        {
            var type = _kind switch
            {
                Kind.Counter => "counter",
                Kind.Histogram => "histogram",
                _ => "gauge",
            };
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(type).Append('\n');
            if (_cells.IsEmpty)
            {
                // An instrument that has not fired yet still reads as zero, so dashboards see the
                // series. Not an observable one: it reports what exists (no pools, no members), and
                // an unlabelled zero would claim a member that is not there.
                if (_kind != Kind.Histogram && !_observable)
                {
                    text.Append(Name).Append(" 0\n");
                }

                return;
            }

            foreach (var (labels, cell) in _cells.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                lock (cell)
                {
                    if (_kind != Kind.Histogram)
                    {
                        text.Append(Name).Append(Braced(labels)).Append(' ').Append(Format(cell.Value)).Append('\n');
                        continue;
                    }

                    long cumulative = 0;
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        cumulative += cell.Buckets[i];
                        text.Append(Name).Append("_bucket").Append(Braced(Join(labels, $"le=\"{Format(_buckets[i])}\""))).Append(' ').Append(cumulative).Append('\n');
                    }

                    text.Append(Name).Append("_bucket").Append(Braced(Join(labels, "le=\"+Inf\""))).Append(' ').Append(cell.Count).Append('\n');
                    text.Append(Name).Append("_sum").Append(Braced(labels)).Append(' ').Append(Format(cell.Value)).Append('\n');
                    text.Append(Name).Append("_count").Append(Braced(labels)).Append(' ').Append(cell.Count).Append('\n');
                }
            }
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return string.Empty;
            }

            var pairs = new List<string>(tags.Length);
            foreach (var tag in tags)
            {
                var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty;
                value = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
                pairs.Add($"{tag.Key.Replace('.', '_')}=\"{value}\"");
            }

            pairs.Sort(StringComparer.Ordinal);
            return string.Join(',', pairs);
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Braced(string labels) => labels.Length == 0 ? string.Empty : "{" + labels + "}";

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Up to four tags as given, compared by value (names, and values through their own Equals: strings, boxed numbers).</summary>
    private readonly record struct TagKey(string? Name1, object? Value1, string? Name2, object? Value2, string? Name3, object? Value3, string? Name4, object? Value4);

    private sealed class Cell(int buckets)
    {
        public double Value { get; set; }

        public long Count { get; set; }

        public long[] Buckets { get; } = new long[buckets];
    }
}
