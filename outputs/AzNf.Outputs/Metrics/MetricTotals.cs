using System.Diagnostics.Metrics;
using System.Globalization;

namespace AzNf.Outputs.Metrics;

/// <summary>One metric series: an instrument and its tags (without the chain's), with its total.</summary>
/// <param name="Instrument">e.g. <c>aznf.packets</c>.</param>
/// <param name="Tags">e.g. <c>aznf.outcome=forwarded</c>, comma-separated, sorted; empty for none.</param>
/// <param name="Value">Counter: the sum; gauge: the last value; histogram: the number of recordings.</param>
/// <param name="Sum">Histogram: the sum of the recordings; else null.</param>
/// <param name="Max">Histogram: the largest recording; else null.</param>
public sealed record MetricSeries(string Instrument, string Tags, double Value, double? Sum = null, double? Max = null);

/// <summary>
/// A listener that adds up one <see cref="ChainMetrics"/>' instruments in memory (what
/// <c>aznf run --metrics</c> prints): counters summed, gauges last value, histograms count, sum
/// and max, per instrument and tag set.
/// </summary>
public sealed class MetricTotals : IDisposable
{
    private readonly MeterListener _listener = new();
    // Keyed by the instrument and its tag values in the order the instruments write them (one
    // order per instrument), so a measurement costs a lookup; the text is made when read.
    private readonly Dictionary<SeriesKey, double[]> _series = [];

    public MetricTotals(ChainMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every series so far (observable instruments read now), sorted by instrument and tags.</summary>
    public IReadOnlyList<MetricSeries> Read()
    {
        _listener.RecordObservableInstruments();
        lock (_series)
        {
            return _series
                .Select(s => (Name: s.Key.Instrument.Name, Tags: s.Key.Text(), Value: s.Value))
                .OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Tags, StringComparer.Ordinal)
                .Select(s => s.Value.Length == 1
                    ? new MetricSeries(s.Name, s.Tags, s.Value[0])
                    : new MetricSeries(s.Name, s.Tags, s.Value[0], s.Value[1], s.Value[2]))
                .ToList();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var (first, second, third) = (Tag(tags, 1), Tag(tags, 2), Tag(tags, 3));
        var key = new SeriesKey(instrument, first.Key, first.Value, second.Key, second.Value, third.Key, third.Value);
        lock (_series)
        {
            switch (instrument)
            {
                case Histogram<double>:
                    var h = _series.TryGetValue(key, out var existing) ? existing : _series[key] = new double[3];
                    h[0]++;
                    h[1] += value;
                    h[2] = Math.Max(h[2], value);
                    break;
                case ObservableGauge<long>:
                case ObservableCounter<long>:
                    _series[key] = [value];
                    break;
                default:
                    var c = _series.TryGetValue(key, out var sum) ? sum : _series[key] = new double[1];
                    c[0] += value;
                    break;
            }
        }
    }

    // Tag 0 is always the chain's (ChainMetrics writes it first); an instrument has at most three more.
    private static KeyValuePair<string, object?> Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, int i) =>
        i < tags.Length ? tags[i] : default;

    private readonly record struct SeriesKey(Instrument Instrument, string? KeyA, object? ValueA, string? KeyB, object? ValueB, string? KeyC, object? ValueC)
    {
        public string Text() => string.Join(',', new[] { (KeyA, ValueA), (KeyB, ValueB), (KeyC, ValueC) }
            .Where(t => t.Item1 is not null)
            .Select(t => $"{t.Item1}={Convert.ToString(t.Item2, CultureInfo.InvariantCulture)}")
            .Order(StringComparer.Ordinal));
    }
}
