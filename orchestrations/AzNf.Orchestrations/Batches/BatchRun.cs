using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// The decisions of one <c>NfBatch</c> run, apart from the orchestrator so they read and test as
/// plain code: each slice's packets still in the chain, the drops and alerts the shards reported,
/// the deadline policy for a slice whose step was late, and the merged deltas for the shared entities.
/// </summary>
/// <remarks>
/// A late slice step (its deadline passed before it ran, or while it ran, by its own clock) changed
/// nothing in its shard; its packets get the policy: <c>fail-open</c> forwards and marks them,
/// <c>fail-closed</c> drops them with reason <c>deadline:&lt;stage&gt;</c>, <c>skip</c> forwards
/// them. A step that finished by its own clock after the orchestration's timer fired keeps its
/// state in the shard, and its packets still get the policy: the verdict is decided at the deadline.
/// </remarks>
internal sealed class BatchRun
{
    private readonly ChainBatch _batch;
    private readonly Dictionary<int, HashSet<int>> _dropped = [];
    private readonly HashSet<int> _failedClosed = [];
    private readonly long[] _pendingPackets;
    private readonly long[] _stageIn;
    private readonly long[] _stageOut;
    private readonly long[] _stageDrops;
    private readonly double[] _stageMs;
    private readonly bool[] _stageMissed;
    private readonly DeadlinePolicy?[] _stagePolicy;
    private readonly Dictionary<string, long>[] _stageCounters;
    private readonly Dictionary<string, long> _reasons = new(StringComparer.Ordinal);
    private readonly List<ReportAlert> _alerts = [];
    private readonly List<ReportFlow> _finished = [];
    private readonly Dictionary<string, long> _misses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceUpdate> _sources = new(StringComparer.Ordinal);
    private long _packets;
    private long _bytes;
    private long _dropCount;
    private long _duplicates;
    private int _steps;
    private int _late;
    private long _stateBytes;
    private long _flowsTouched;
    private bool _chainMissed;
    private readonly List<int> _completed = [];
    private readonly Dictionary<int, long> _stored = [];
    private readonly List<RecordsRef> _records = [];
    private readonly SortedSet<string> _workers = new(StringComparer.Ordinal);
    private long _alertCount;

    public BatchRun(ChainBatch batch)
    {
        _batch = batch;
        int stages = batch.Plan.Stages.Count;
        _pendingPackets = batch.Slices.Select(s => (long)s.Packets).ToArray();
        _stageIn = new long[stages];
        _stageCounters = Enumerable.Range(0, stages).Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        _stageOut = new long[stages];
        _stageDrops = new long[stages];
        _stageMs = new double[stages];
        _stageMissed = new bool[stages];
        _stagePolicy = new DeadlinePolicy?[stages];
    }

    /// <summary>True when slice <paramref name="slice"/> still has packets in the chain.</summary>
    public bool HasPending(int slice) => _pendingPackets[slice] > 0;

    public ShardStep Step(int slice, int first, int count, DateTime? deadlineUtc)
    {
        var reference = _batch.Slices[slice];
        return new ShardStep
        {
            ChainName = _batch.ChainName,
            Partition = _batch.Partition,
            BatchSequenceNumber = _batch.LastSequenceNumber,
            ClockNanos = _batch.ClockNanos,
            RuleSetVersion = _batch.RuleSetVersion,
            BlocklistVersion = _batch.BlocklistVersion,
            ShardCount = _batch.ShardCount,
            PartitionCount = _batch.PartitionCount,
            Blob = _batch.Blob,
            Slice = reference,
            FirstStage = first,
            StageCount = count,
            StageNames = _batch.Plan.Stages.Skip(first).Take(count).Select(s => s.Name).ToList(),
            Dropped = _dropped.TryGetValue(slice, out var dropped) ? dropped.Order().ToList() : [],
            DeadlineUtc = deadlineUtc,
            AfterBatch = _batch.PreviousBatches.TryGetValue(reference.Shard, out long previous) ? previous : -1,
        };
    }

    /// <summary>A slice step that finished in time: its drops are final, its counts add up.</summary>
    public void Finished(int slice, int first, ShardStepResult result)
    {
        _steps++;
        _stateBytes += result.StateBytes;
        int shard = _batch.Slices[slice].Shard;
        if (first + result.Stages.Count == _stageIn.Length)
        {
            _completed.Add(shard);
        }
        _stored[shard] = Math.Max(_stored.GetValueOrDefault(shard, -1), result.StoredBatch);
        if (first == 0)
        {
            _packets += result.Packets;
            _bytes += result.Bytes;
            _duplicates += result.Duplicates;
            _flowsTouched += result.FlowsTouched;
        }
        if (!_dropped.TryGetValue(slice, out var dropped))
        {
            _dropped[slice] = dropped = [];
        }
        for (int i = 0; i < result.DroppedPackets.Count; i++)
        {
            dropped.Add(result.DroppedPackets[i]);
            string reason = result.Reasons[result.DropReasons[i]];
            _reasons[reason] = _reasons.GetValueOrDefault(reason) + 1;
            _dropCount++;
        }
        _pendingPackets[slice] = result.Packets - result.DroppedPackets.Count;
        for (int s = 0; s < result.Stages.Count; s++)
        {
            var stage = result.Stages[s];
            _stageIn[first + s] += stage.PacketsIn;
            _stageOut[first + s] += stage.PacketsOut;
            _stageDrops[first + s] += stage.Drops;
            _stageMs[first + s] = Math.Max(_stageMs[first + s], stage.ElapsedMs);
            if (stage.Counters is { } counters)
            {
                ChainTally.AddInto(_stageCounters[first + s], counters);
            }
        }
        _alerts.AddRange(result.Alerts);
        _finished.AddRange(result.FinishedFlows);
        _alertCount += result.AlertCount;
        if (result.Records is { } records)
        {
            _records.Add(records);
        }
        if (result.Worker is { } worker)
        {
            _workers.Add(worker);
        }
        foreach (var source in result.Sources)
        {
            _sources[source.Address] = _sources.TryGetValue(source.Address, out var had)
                ? new SourceUpdate(source.Address, had.Alerts + source.Alerts, had.Drops + source.Drops, had.NewFlows + source.NewFlows, [.. had.DestinationPorts.Union(source.DestinationPorts)])
                : source;
        }
    }

    /// <summary>
    /// Slice <paramref name="slice"/>'s step over stages <paramref name="first"/> .. <paramref name="end"/> − 1
    /// missed its deadline (<paramref name="by"/>: the stage, or the chain): <paramref name="policy"/> decides its pending packets.
    /// </summary>
    public void Missed(int slice, int first, int end, DeadlinePolicy policy, string by)
    {
        _steps++;
        _late++;
        _chainMissed |= by == ChainRun.ChainMarker;
        _misses[by] = _misses.GetValueOrDefault(by) + 1;
        var reference = _batch.Slices[slice];
        long pending = _pendingPackets[slice];
        if (first == 0)
        {
            // Nothing ran on these packets: they count as the policy decides them.
            _packets += reference.Packets;
            _bytes += reference.Bytes;
            pending = reference.Packets;
        }
        for (int s = first; s < end; s++)
        {
            _stageMissed[s] = true;
            _stagePolicy[s] = policy;
            if (s == first)
            {
                _stageIn[s] += pending;
            }
            if (policy != DeadlinePolicy.FailClosed)
            {
                _stageOut[s] += pending;
                if (s != first)
                {
                    _stageIn[s] += pending;
                }
            }
            else if (s == first)
            {
                _stageDrops[s] += pending;
            }
        }
        if (policy == DeadlinePolicy.FailClosed)
        {
            // Every packet of the slice is dropped now: those the stages before had not dropped yet.
            _failedClosed.Add(slice);
            string reason = "deadline:" + by;
            _reasons[reason] = _reasons.GetValueOrDefault(reason) + pending;
            _dropCount += pending;
        }
        // Decided up to the chain's end (or dropped): no later stage runs on this slice.
        if (policy == DeadlinePolicy.FailClosed || end == _stageIn.Length)
        {
            _pendingPackets[slice] = 0;
        }
        else
        {
            _pendingPackets[slice] = pending;
        }
    }

    /// <summary>Every slice with packets left misses stages <paramref name="first"/> .. the end (the chain's deadline passed between rounds).</summary>
    public void MissedAll(int first, DeadlinePolicy policy, string by)
    {
        for (int s = 0; s < _pendingPackets.Length; s++)
        {
            if (_pendingPackets[s] > 0)
            {
                Missed(s, first, _stageIn.Length, policy, by);
            }
        }
    }

    public ChainBatchResult Result() => new()
    {
        ChainName = _batch.ChainName,
        Partition = _batch.Partition,
        LastSequenceNumber = _batch.LastSequenceNumber,
        Packets = _packets,
        Bytes = _bytes,
        Forwarded = _packets - _dropCount,
        Dropped = _dropCount,
        Duplicates = _duplicates,
        DropReasons = _reasons,
        Alerts = _alerts,
        Stages = _batch.Plan.Stages.Select((s, i) => new StageOutcome(s.Name, _stageIn[i], _stageOut[i], _stageDrops[i], _stageMs[i], _stageMissed[i], _stagePolicy[i], _stageCounters[i])).ToList(),
        FinishedFlows = _finished,
        DroppedBySlice = _batch.ReturnDrops ? DroppedBySlice() : null,
        ChainDeadlineMissed = _chainMissed,
        ShardSteps = _steps,
        LateSteps = _late,
        StateBytes = _stateBytes,
        FlowsTouched = _flowsTouched,
        ShardsCompleted = _completed,
        ShardsStored = _stored,
        Records = _records,
        AlertCount = _alertCount,
        Workers = [.. _workers],
    };

    private List<IReadOnlyList<int>> DroppedBySlice() =>
        _batch.Slices.Select((slice, i) => _failedClosed.Contains(i)
                ? Enumerable.Range(0, slice.Packets).ToList()
                : _dropped.TryGetValue(i, out var dropped) ? dropped.Order().ToList() : (IReadOnlyList<int>)[])
            .ToList();

    /// <summary>The batch's merged source updates, grouped by source shard.</summary>
    public IEnumerable<(string Key, IReadOnlyList<SourceUpdate> Updates)> SourceUpdates() =>
        _sources.Values
            .GroupBy(s => FlowShards.SourceEntityKey(_batch.ChainName, s.Address, _batch.SourceShardCount))
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<SourceUpdate>)g.OrderBy(s => s.Address, StringComparer.Ordinal).ToList()));

    public CounterDelta CounterDelta() =>
        new(1, _duplicates > 0 && _packets == 0 ? 1 : 0, _packets, _bytes, _alertCount, _dropCount, _misses);
}
