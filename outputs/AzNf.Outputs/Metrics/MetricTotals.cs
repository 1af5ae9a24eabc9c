using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

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
    private readonly Dictionary<(string, string), double[]> _series = [];

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
                .OrderBy(s => s.Key.Item1, StringComparer.Ordinal).ThenBy(s => s.Key.Item2, StringComparer.Ordinal)
                .Select(s => s.Value.Length == 1
                    ? new MetricSeries(s.Key.Item1, s.Key.Item2, s.Value[0])
                    : new MetricSeries(s.Key.Item1, s.Key.Item2, s.Value[0], s.Value[1], s.Value[2]))
                .ToList();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var text = new StringBuilder();
        var sorted = tags.ToArray().Where(t => t.Key != "aznf.chain").OrderBy(t => t.Key, StringComparer.Ordinal);
        foreach (var (key, tagValue) in sorted)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(key).Append('=').Append(Convert.ToString(tagValue, CultureInfo.InvariantCulture));
        }
        var key2 = (instrument.Name, text.ToString());
        lock (_series)
        {
            switch (instrument)
            {
                case Histogram<double>:
                    var h = _series.TryGetValue(key2, out var existing) ? existing : _series[key2] = new double[3];
                    h[0]++;
                    h[1] += value;
                    h[2] = Math.Max(h[2], value);
                    break;
                case ObservableGauge<long>:
                case ObservableCounter<long>:
                    _series[key2] = [value];
                    break;
                default:
                    var c = _series.TryGetValue(key2, out var sum) ? sum : _series[key2] = new double[1];
                    c[0] += value;
                    break;
            }
        }
    }
}
