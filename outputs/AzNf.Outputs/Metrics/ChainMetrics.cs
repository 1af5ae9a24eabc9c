using System.Diagnostics.Metrics;
using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.Outputs.Metrics;

/// <summary>
/// The chain's metrics on the <c>AzNf</c> meter (<see cref="System.Diagnostics.Metrics"/>, so any
/// listener takes them: OpenTelemetry's exporters, <c>dotnet-counters</c>, <c>aznf run --metrics</c>).
/// Counts are the report's: the embedded runtime adds each partition's counters after every
/// batch (nothing on the per-packet path), the durable runtime adds each work unit's tally.
/// </summary>
/// <remarks>
/// Instruments (tags in brackets): <c>aznf.packets</c> [outcome: forwarded | dropped],
/// <c>aznf.bytes</c> (input, wire bytes), <c>aznf.stage.packets</c> [stage, direction: in | out],
/// <c>aznf.drops</c> [reason], <c>aznf.unparsed</c> [reason], <c>aznf.alerts</c> [stage, sid],
/// <c>aznf.flows.ended</c> [end], <c>aznf.deadline.misses</c> [stage] (durable),
/// <c>aznf.flows.active</c> (embedded), <c>aznf.batch.duration</c> (ms), <c>aznf.storage.requests</c>
/// [service] and <c>aznf.ingestion.lag</c> [partition] where a runtime reports them. Every one
/// carries <c>aznf.chain</c>.
/// </remarks>
public sealed class ChainMetrics : IChainOutput, IDisposable
{
    public const string MeterName = "AzNf";

    /// <summary>The stage counter the durable path names deadline misses with (WorkResultTally.DeadlineMissesCounter).</summary>
    public const string DeadlineMissesCounter = "deadline:misses";

    private readonly Meter _meter;
    private readonly KeyValuePair<string, object?> _chainTag;
    private readonly string[] _stageNames;
    private readonly List<ChainPartition> _partitions = [];
    private readonly Counter<long> _packets;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _stagePackets;
    private readonly Counter<long> _drops;
    private readonly Counter<long> _unparsed;
    private readonly Counter<long> _alerts;
    private readonly Counter<long> _flowsEnded;
    private readonly Counter<long> _deadlineMisses;
    private readonly Histogram<double> _batchDuration;
    private Func<IEnumerable<KeyValuePair<string, long>>>? _storageRequests;
    private Func<IEnumerable<KeyValuePair<int, long>>>? _ingestionLag;

    public ChainMetrics(ChainDefinition chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        _stageNames = chain.Stages.Select(s => s.Name).ToArray();
        _chainTag = new("aznf.chain", chain.Name);
        _meter = new Meter(MeterName);
        _packets = _meter.CreateCounter<long>("aznf.packets", "{packet}", "Packets out of the chain, by outcome (forwarded or dropped).");
        _bytes = _meter.CreateCounter<long>("aznf.bytes", "By", "Wire bytes into the chain.");
        _stagePackets = _meter.CreateCounter<long>("aznf.stage.packets", "{packet}", "Packets into and out of each stage.");
        _drops = _meter.CreateCounter<long>("aznf.drops", "{packet}", "Dropped packets by reason.");
        _unparsed = _meter.CreateCounter<long>("aznf.unparsed", "{packet}", "Frames the parser could not read, by reason.");
        _alerts = _meter.CreateCounter<long>("aznf.alerts", "{alert}", "IDS alerts by stage and signature id.");
        _flowsEnded = _meter.CreateCounter<long>("aznf.flows.ended", "{flow}", "Flows that left the flow table, by why.");
        _deadlineMisses = _meter.CreateCounter<long>("aznf.deadline.misses", "{unit}", "Work units past a stage's QoS deadline (durable path).");
        _batchDuration = _meter.CreateHistogram<double>("aznf.batch.duration", "ms", "Time to run one partition batch (embedded) or work unit (durable) through the chain.");
        _meter.CreateObservableGauge("aznf.flows.active", ActiveFlows, "{flow}", "Flows in the flow tables now (embedded runtime).");
        _meter.CreateObservableCounter("aznf.storage.requests", StorageRequests, "{request}", "Requests to the task hub's storage, by service (durable runtime).");
        _meter.CreateObservableGauge("aznf.ingestion.lag", IngestionLag, "{event}", "Events enqueued in a partition and not processed yet (last enqueued sequence number − processed).");
    }

    /// <summary>The meter the instruments are on (one per run; a listener may pick this one out).</summary>
    public Meter Meter => _meter;

    /// <summary>Reports storage requests so far by service (blob, queue, table), read when a listener collects.</summary>
    public void ObserveStorageRequests(Func<IEnumerable<KeyValuePair<string, long>>> requests) => _storageRequests = requests;

    /// <summary>Reports ingestion lag per partition, read when a listener collects.</summary>
    public void ObserveIngestionLag(Func<IEnumerable<KeyValuePair<int, long>>> lag) => _ingestionLag = lag;

    public IPartitionOutput ForPartition(ChainPartition partition)
    {
        ArgumentNullException.ThrowIfNull(partition);
        lock (_partitions)
        {
            _partitions.Add(partition);
        }
        return new PartitionRecorder(this, partition);
    }

    /// <summary>Adds a durable work unit's tally (what the unit changed) and, when known, how long it took.</summary>
    public void Record(ChainTally tally, TimeSpan? elapsed = null)
    {
        ArgumentNullException.ThrowIfNull(tally);
        Add(_packets, tally.Forwarded, "aznf.outcome", "forwarded");
        Add(_packets, tally.Dropped, "aznf.outcome", "dropped");
        Add(_bytes, tally.Bytes);
        for (int s = 0; s < Math.Min(tally.Stages.Count, _stageNames.Length); s++)
        {
            var stage = tally.Stages[s];
            AddStage(s, stage.PacketsIn, stage.PacketsOut);
            if (stage.Counters.TryGetValue(DeadlineMissesCounter, out long misses))
            {
                Add(_deadlineMisses, misses, "aznf.stage", _stageNames[s]);
            }
        }
        foreach (var (reason, count) in tally.DropReasons)
        {
            Add(_drops, count, "aznf.reason", reason);
        }
        foreach (var (reason, count) in tally.Unparsed)
        {
            Add(_unparsed, count, "aznf.reason", reason);
        }
        foreach (var alert in tally.Alerts)
        {
            _alerts.Add(1, _chainTag, new("aznf.stage", alert.Stage), new("aznf.sid", alert.Sid));
        }
        foreach (var flow in tally.Flows)
        {
            Add(_flowsEnded, 1, "aznf.end", flow.End);
        }
        if (elapsed is { } time)
        {
            _batchDuration.Record(time.TotalMilliseconds, _chainTag);
        }
    }

    public void Dispose() => _meter.Dispose();

    private void Add(Counter<long> counter, long value)
    {
        if (value != 0)
        {
            counter.Add(value, _chainTag);
        }
    }

    private void Add(Counter<long> counter, long value, string tag, object tagValue)
    {
        if (value != 0)
        {
            counter.Add(value, _chainTag, new(tag, tagValue));
        }
    }

    private void AddStage(int stage, long packetsIn, long packetsOut)
    {
        if (packetsIn != 0)
        {
            _stagePackets.Add(packetsIn, _chainTag, new("aznf.stage", _stageNames[stage]), new("aznf.direction", "in"));
        }
        if (packetsOut != 0)
        {
            _stagePackets.Add(packetsOut, _chainTag, new("aznf.stage", _stageNames[stage]), new("aznf.direction", "out"));
        }
    }

    // Read from the listener's thread: a flow table's count is one int, so a torn read cannot happen.
    private IEnumerable<Measurement<long>> ActiveFlows()
    {
        long flows = 0;
        lock (_partitions)
        {
            if (_partitions.Count == 0)
            {
                return []; // the durable runtime: its flows live in entities, not in tables here
            }
            foreach (var partition in _partitions)
            {
                flows += partition.Flows.Count;
            }
        }
        return [new Measurement<long>(flows, _chainTag)];
    }

    private IEnumerable<Measurement<long>> StorageRequests() =>
        _storageRequests is null ? [] : _storageRequests().Select(r => new Measurement<long>(r.Value, _chainTag, new("aznf.service", r.Key))).ToList();

    private IEnumerable<Measurement<long>> IngestionLag() =>
        _ingestionLag is null ? [] : _ingestionLag().Select(l => new Measurement<long>(l.Value, _chainTag, new("aznf.partition", l.Key))).ToList();

    /// <summary>
    /// One embedded partition: after each batch the difference of its counters since the last
    /// one; alerts, drops and ended flows as they happen (they are few, or, for drops, counted
    /// where they are made anyway).
    /// </summary>
    private sealed class PartitionRecorder(ChainMetrics metrics, ChainPartition partition) : IPartitionOutput
    {
        private readonly StageCounters[] _stages = new StageCounters[partition.StageCounters.Length];
        private readonly long[] _unparsed = new long[partition.UnparsedByReason.Length];
        private long _bytes;
        private long _forwarded;
        private long _dropped;

        public void Alert(Alert alert) =>
            metrics._alerts.Add(1, metrics._chainTag, new("aznf.stage", alert.Stage), new("aznf.sid", alert.Sid));

        public void FlowEnded(FlowRecord flow) =>
            metrics.Add(metrics._flowsEnded, 1, "aznf.end", ReportFlow.EndName(flow.End));

        public void Dropped(in PacketContext packet, string stage, string reason) =>
            metrics.Add(metrics._drops, 1, "aznf.reason", reason);

        // The IDS's reject:responses counter (in the stage counters) already counts answers.
        public void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response)
        {
        }

        public void Rewritten(in PacketContext packet)
        {
        }

        public void BatchEnded(int packets, TimeSpan elapsed) =>
            metrics._batchDuration.Record(elapsed.TotalMilliseconds, metrics._chainTag);

        public void Flush()
        {
            metrics.Add(metrics._packets, partition.Forwarded - _forwarded, "aznf.outcome", "forwarded");
            metrics.Add(metrics._packets, partition.Dropped - _dropped, "aznf.outcome", "dropped");
            metrics.Add(metrics._bytes, partition.Bytes - _bytes);
            _forwarded = partition.Forwarded;
            _dropped = partition.Dropped;
            _bytes = partition.Bytes;
            for (int s = 0; s < _stages.Length; s++)
            {
                ref var now = ref partition.StageCounters[s];
                metrics.AddStage(s, now.PacketsIn - _stages[s].PacketsIn, now.PacketsOut - _stages[s].PacketsOut);
                _stages[s] = now;
            }
            for (int r = 1; r < _unparsed.Length; r++)
            {
                long now = partition.UnparsedByReason[r];
                metrics.Add(metrics._unparsed, now - _unparsed[r], "aznf.reason", MalformedReasons.Name((MalformedReason)r));
                _unparsed[r] = now;
            }
        }
    }
}
