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
        try
        {
            _file.Append(buffer.WrittenSpan);
        }
        catch (IOException)
        {
            // On a timer thread an exception would end the process: the file cannot take more
            // (full, gone), so the periodic stats stop here; the run's own writes to the file
            // meet the same error and end the run with one line naming it.
            _statsTimer?.Change(Timeout.Infinite, Timeout.Infinite);
            return;
        }
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

    /// <summary>Appends lines made elsewhere (<see cref="EveRecordLines"/>: a durable run's units), counted by their event type.</summary>
    public void Append(IReadOnlyList<EveLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var line in lines)
        {
            buffer.Write(line.Bytes);
            buffer.Write("\n"u8);
        }
        _file.Append(buffer.WrittenSpan);
        Interlocked.Add(ref _alerts, lines.Count(l => l.EventType == "alert"));
        Interlocked.Add(ref _flows, lines.Count(l => l.EventType == "flow"));
    }

    /// <summary>One partition's buffer; used on that partition's thread only.</summary>
    private sealed class PartitionWriter : IPartitionOutput
    {
        private readonly EveOutput _owner;
        private readonly ArrayBufferWriter<byte> _buffer = new(ChunkBytes + 4096);
        private readonly Utf8JsonWriter _json;
        private readonly AlertedFlows _alerted = new();
        private long _alerts;
        private long _flows;
        private long _drops;

        public PartitionWriter(EveOutput owner)
        {
            _owner = owner;
            _json = new Utf8JsonWriter(_buffer, WriterOptions);
        }

        public void Alert(Alert alert)
        {
            EveEvents.WriteAlert(_json, ReportAlert.From(alert));
            _alerted.Alerted(alert.FlowId);
            _alerts++;
            EndLine();
        }

        public void FlowEnded(FlowRecord flow)
        {
            var record = ReportFlow.From(flow);
            EveEvents.WriteFlow(_json, record, _alerted.Ended(record.FlowId));
            _flows++;
            EndLine();
        }

        public void Dropped(in PacketContext packet, string stage, string reason)
        {
            EveEvents.WriteDrop(_json, in packet, stage, reason);
            _drops++;
            EndLine();
        }

        // Suricata's EVE does not log the resets and ICMP errors its reject rules send either.
        public void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response)
        {
        }

        public void Rewritten(in PacketContext packet)
        {
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
