using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Outputs.Eve;

/// <summary>
/// EVE JSON for a run: each partition writes alert, flow and drop events into its own buffer as
/// they happen and appends whole lines to the shared <see cref="EveFile"/> when the buffer fills
/// and after every batch; <see cref="WriteStats"/> adds a stats event. Lines from different
/// partitions interleave (as Suricata's worker threads' do); each line is whole.
/// </summary>
public sealed class EveOutput : IChainOutput
{
    /// <summary>Bytes a partition buffers before it appends them to the file.</summary>
    public const int ChunkBytes = 64 * 1024;

    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        // Suricata writes '+', '<', '&' and non-ASCII as they are; escape only what JSON requires.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly EveFile _file;
    private readonly List<ChainPartition> _partitions = [];
    private Timer? _statsTimer;
    private DateTimeOffset _started = DateTimeOffset.UtcNow;
    private long _alerts;
    private long _flows;
    private long _drops;
    private long _stats;

    public EveOutput(EveFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
    }

    public EveFile File => _file;

    /// <summary>Events written so far, by <c>event_type</c>.</summary>
    public IReadOnlyDictionary<string, long> EventCounts => new SortedDictionary<string, long>(StringComparer.Ordinal)
    {
        ["alert"] = Interlocked.Read(ref _alerts),
        ["drop"] = Interlocked.Read(ref _drops),
        ["flow"] = Interlocked.Read(ref _flows),
        ["stats"] = Interlocked.Read(ref _stats),
    };

    public IPartitionOutput ForPartition(ChainPartition partition)
    {
        lock (_partitions)
        {
            _partitions.Add(partition);
        }
        return new PartitionWriter(this);
    }

    /// <summary>
    /// Writes a stats event every <paramref name="interval"/> while the run goes (Suricata's
    /// default is 8 s), from the partitions' counters, until the returned handle is disposed
    /// (or <see cref="StopStats"/>): dispose it before the file.
    /// </summary>
    public IDisposable StartStats(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _started = DateTimeOffset.UtcNow;
        _statsTimer = new Timer(_ => WriteLiveStats(), null, interval, interval);
        return new StatsHandle(this);
    }

    private sealed class StatsHandle(EveOutput owner) : IDisposable
    {
        public void Dispose() => owner.StopStats();
    }

    /// <summary>Ends the periodic stats (before the final one).</summary>
    public void StopStats()
    {
        using var stopped = new ManualResetEvent(false);
        if (_statsTimer is { } timer && timer.Dispose(stopped))
        {
            stopped.WaitOne();
        }
        _statsTimer = null;
    }

    private void WriteLiveStats()
    {
        ChainPartition[] partitions;
        lock (_partitions)
        {
            partitions = [.. _partitions];
        }
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            var now = DateTimeOffset.UtcNow;
            EveEvents.WriteLiveStats(json, partitions, now, now - _started);
        }
        buffer.Write("\n"u8);
        _file.Append(buffer.WrittenSpan);
        Interlocked.Increment(ref _stats);
    }

    /// <summary>Appends a stats event made from <paramref name="report"/>.</summary>
    public void WriteStats(RunReport report, DateTimeOffset now, TimeSpan uptime)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            EveEvents.WriteStats(json, report, now, uptime);
        }
        buffer.Write("\n"u8);
        _file.Append(buffer.WrittenSpan);
        Interlocked.Increment(ref _stats);
    }

    /// <summary>
    /// Appends alert and flow events from records made elsewhere (a durable run's report or work
    /// units): the alerts, then the flows; <paramref name="alertedFlows"/> carries the flows with
    /// an alert from one call to the next.
    /// </summary>
    public void WriteRecords(IEnumerable<ReportAlert> alerts, IEnumerable<ReportFlow> flows, ISet<long> alertedFlows)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(alertedFlows);
        var writer = new PartitionWriter(this, alertedFlows);
        foreach (var alert in alerts)
        {
            writer.Alert(alert);
        }
        foreach (var flow in flows)
        {
            writer.FlowEnded(flow);
        }
        writer.Flush();
    }

    /// <summary>
    /// The EVE lines of alerts and ended flows made elsewhere (a durable unit's tally), one per
    /// event, each with an id that is the same whenever the same event is written again (a
    /// replayed unit), so a sink or its reader can drop the repeat: <c>alert/flow_id/sid/pcap_cnt</c>,
    /// <c>flow/flow_id</c>. <paramref name="alertedFlows"/> carries the flows with an alert
    /// between calls (the caller keeps it to one thread at a time).
    /// </summary>
    public static List<(string Id, byte[] Line)> Lines(IEnumerable<ReportAlert> alerts, IEnumerable<ReportFlow> flows, ISet<long> alertedFlows)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentNullException.ThrowIfNull(alertedFlows);
        var lines = new List<(string, byte[])>();
        var buffer = new ArrayBufferWriter<byte>();
        using var json = new Utf8JsonWriter(buffer, WriterOptions);
        byte[] Take()
        {
            json.Flush();
            byte[] line = buffer.WrittenSpan.ToArray();
            buffer.ResetWrittenCount();
            json.Reset();
            return line;
        }
        foreach (var alert in alerts)
        {
            EveEvents.WriteAlert(json, alert);
            alertedFlows.Add(alert.FlowId);
            lines.Add((string.Create(System.Globalization.CultureInfo.InvariantCulture, $"alert/{alert.FlowId}/{alert.Sid}/{alert.PacketIndex}"), Take()));
        }
        foreach (var flow in flows)
        {
            EveEvents.WriteFlow(json, flow, alertedFlows.Remove(flow.FlowId));
            lines.Add((string.Create(System.Globalization.CultureInfo.InvariantCulture, $"flow/{flow.FlowId}"), Take()));
        }
        return lines;
    }

    /// <summary>One partition's buffer; used on that partition's thread only.</summary>
    private sealed class PartitionWriter : IPartitionOutput
    {
        // Flows that raised an alert and have not ended yet, for the flow event's "alerted". An
        // alert on a packet without a flow (unparsed) would stay here; the bound keeps that small.
        private const int MaxAlertedFlows = 100_000;

        private readonly EveOutput _owner;
        private readonly ArrayBufferWriter<byte> _buffer = new(ChunkBytes + 4096);
        private readonly Utf8JsonWriter _json;
        private readonly ISet<long> _alertedFlows;
        private long _alerts;
        private long _flows;
        private long _drops;

        public PartitionWriter(EveOutput owner, ISet<long>? alertedFlows = null)
        {
            _owner = owner;
            _json = new Utf8JsonWriter(_buffer, WriterOptions);
            _alertedFlows = alertedFlows ?? new HashSet<long>();
        }

        public void Alert(Alert alert) => Alert(ReportAlert.From(alert));

        public void Alert(ReportAlert alert)
        {
            EveEvents.WriteAlert(_json, alert);
            if (_alertedFlows.Count >= MaxAlertedFlows)
            {
                _alertedFlows.Clear();
            }
            _alertedFlows.Add(alert.FlowId);
            _alerts++;
            EndLine();
        }

        public void FlowEnded(FlowRecord flow) => FlowEnded(ReportFlow.From(flow));

        public void FlowEnded(ReportFlow flow)
        {
            EveEvents.WriteFlow(_json, flow, _alertedFlows.Remove(flow.FlowId));
            _flows++;
            EndLine();
        }

        public void Dropped(in PacketContext packet, string stage, string reason)
        {
            EveEvents.WriteDrop(_json, in packet, stage, reason);
            _drops++;
            EndLine();
        }

        public void BatchEnded(int packets, TimeSpan elapsed)
        {
        }

        public void Flush()
        {
            _owner._file.Append(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
            Interlocked.Add(ref _owner._alerts, _alerts);
            Interlocked.Add(ref _owner._flows, _flows);
            Interlocked.Add(ref _owner._drops, _drops);
            _alerts = _flows = _drops = 0;
        }

        private void EndLine()
        {
            _json.Flush();
            _json.Reset();
            _buffer.Write("\n"u8);
            if (_buffer.WrittenCount >= ChunkBytes)
            {
                Flush();
            }
        }
    }
}
