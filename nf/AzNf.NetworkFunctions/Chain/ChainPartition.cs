using System.Diagnostics;
using System.Runtime.CompilerServices;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// One partition of a chain: an ordered stream of packets, its own flow table and its own NF
/// instances. Every packet of a flow reaches the same partition, so nothing here is shared
/// between threads. The same class runs a packet for the embedded engine, the benchmarks and
/// (later) a durable activity.
/// </summary>
public sealed class ChainPartition
{
    private readonly IReadOnlyList<INetworkFunctionDefinition> _definitions;
    private readonly SectionKey[] _sectionKeys;
    private readonly INetworkFunction[] _stages;
    private readonly Dictionary<string, string>?[] _qualifiedReasons;
    private readonly FlowTable _flows;
    private readonly int _maxFlowRecords;
    private readonly List<FlowRecord> _finished = [];
    private readonly IPartitionOutput? _output;
    private readonly bool _recordEveryFlow;
    // Where a chain with a rewriting stage (a NAT) copies each frame before its stages run, so
    // they may change it; null for every other chain, which never copies.
    private byte[]? _rewriteBuffer;
    // A stage keeps state per (partition, shard) slice: each flow's shard is worked out once, as it starts.
    private readonly bool _slices;
    private readonly int _flowShards;

    /// <param name="chain">The chain this partition runs.</param>
    /// <param name="index">The partition's number.</param>
    /// <param name="output">Where alerts, ended flows and drops go as they happen, beside the records the report is made from.</param>
    /// <param name="recordEveryFlow">
    /// Keep every ended flow's record until <see cref="ClearRecords"/> (a durable step, which hands
    /// its records on after each step; the report bounds them). Otherwise the partition keeps the
    /// chain's <c>report.maxFlows</c> largest flows by bytes and counts the rest as omitted.
    /// </param>
    /// <param name="partitionCount">The run's partition count (stages that share a limit among partitions divide by it).</param>
    public ChainPartition(ChainDefinition chain, int index, IChainOutput? output = null, bool recordEveryFlow = false, int partitionCount = 1)
    {
        Index = index;
        PartitionCount = partitionCount;
        _recordEveryFlow = recordEveryFlow;
        Alerts = new AlertLog();
        _flows = new FlowTable(chain.FlowTable, OnFlowEnd);
        _slices = chain.KeepsSliceState;
        _flowShards = chain.FlowShards;
        var resources = new PartitionResources(index, Alerts, partitionCount) { Flows = _flows, FlowShards = chain.FlowShards };
        _definitions = chain.Stages;
        _sectionKeys = FlowSnapshot.SectionKeys(chain.Stages);
        _stages = chain.Stages.Select(s => s.CreateInstance(resources)).ToArray();
        _qualifiedReasons = chain.Stages
            .Select(s => chain.Stages.Count(other => other.Kind == s.Kind) > 1 ? new Dictionary<string, string>(StringComparer.Ordinal) : null)
            .ToArray();
        StageCounters = new StageCounters[_stages.Length];
        _maxFlowRecords = chain.MaxReportFlows;
        if (chain.Stages.Any(s => s.RewritesPackets))
        {
            _rewriteBuffer = new byte[2048];
        }
        _output = output?.ForPartition(this);
        Alerts.Output = _output;
    }

    public int Index { get; }

    /// <summary>The run's partition count this partition's stages were built for.</summary>
    public int PartitionCount { get; }

    /// <summary>
    /// The one flow shard every packet belongs to (a durable shard step's), or −1: each flow's
    /// own, worked out from its key (<see cref="FlowShardHash"/>) when the chain keeps slice state.
    /// </summary>
    public int FixedShard { get; private set; } = -1;

    /// <summary>Whether a stage keeps slice state (<see cref="INetworkFunctionDefinition.KeepsSliceState"/>): each flow has its shard.</summary>
    public bool KeepsSliceState => _slices;

    /// <summary>Whether stages <paramref name="first"/> .. <paramref name="end"/> − 1 have slice state to store (<see cref="INetworkFunction.SliceFormat"/>).</summary>
    public bool StoresSlice(int first, int end)
    {
        for (int i = first; i < end; i++)
        {
            if (_stages[i].SliceFormat != 0)
            {
                return true;
            }
        }
        return false;
    }

    public AlertLog Alerts { get; }
    public IReadOnlyList<INetworkFunction> Stages => _stages;
    public StageCounters[] StageCounters { get; }
    public FlowTable Flows => _flows;
    public IReadOnlyList<FlowRecord> FinishedFlows => _finished;
    public long FlowRecordsOmitted { get; private set; }
    public long FlowsReused { get; private set; }
    public long Packets { get; private set; }
    public long Bytes { get; private set; }
    public long Forwarded { get; private set; }
    public long Dropped { get; private set; }
    public long[] UnparsedByReason { get; } = new long[MalformedReasons.Count];
    public Dictionary<string, long> DropsByReason { get; } = new(StringComparer.Ordinal);

    /// <summary>Stage <paramref name="stage"/>'s NF counters so far (its <see cref="INetworkFunction.ReportCounters"/>).</summary>
    public Dictionary<string, long> NfCounters(int stage)
    {
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        _stages[stage].ReportCounters(counters);
        return counters;
    }

    /// <summary>Runs one packet through the chain and returns the final verdict.</summary>
    public Verdict Process(ReadOnlySpan<byte> frame, in ParsedPacket parsed, MalformedReason malformed, int wireLength, long timestampNanos, long index) =>
        Process(frame, parsed, malformed, wireLength, timestampNanos, index, 0, _stages.Length);

    /// <summary>
    /// Runs one packet through stages <paramref name="firstStage"/> .. <paramref name="endStage"/> − 1
    /// only (the durable path's staged mode: one step per stage). The engine's own per-packet work
    /// (packet and byte totals, flow lifecycle, 5-tuple reuse, idle expiry) is done by the step
    /// that runs stage 0; a later step finds the flow as the earlier step left it.
    /// </summary>
    /// <remarks>Inlined so that the whole-chain overload folds the stage-range checks away.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Verdict Process(ReadOnlySpan<byte> frame, in ParsedPacket parsed, MalformedReason malformed, int wireLength, long timestampNanos, long index, int firstStage, int endStage)
    {
        Debug.Assert(firstStage >= 0 && firstStage < endStage && endStage <= _stages.Length);
        var packet = new PacketContext
        {
            Frame = frame,
            Packet = parsed,
            Malformed = malformed,
            WireLength = wireLength,
            TimestampNanos = timestampNanos,
            Index = index,
            FlowFirstPacketIndex = index,
        };
        if (_rewriteBuffer is not null)
        {
            packet.Writable = Writable(frame);
            packet.Frame = packet.Writable;
        }
        if (firstStage == 0)
        {
            Packets++;
            Bytes += wireLength;
        }
        packet.Shard = FixedShard >= 0 ? FixedShard : 0;
        if (!packet.IsParsed)
        {
            if (firstStage == 0)
            {
                UnparsedByReason[(int)malformed]++;
            }
            return RunScratch(ref packet, firstStage, endStage);
        }

        var key = FlowKey.From(packet.Packet, out bool sourceIsLower);
        if (firstStage > 0)
        {
            return ContinueStages(ref packet, key, sourceIsLower, firstStage, endStage);
        }
        _flows.ExpireIdleIfDue(timestampNanos);
        bool created = false;
        // A flow found by its alias (a NAT's reply tuple) is oriented by the alias's endpoints.
        if (!(_flows.AliasCount > 0 && _flows.TryFindAlias(key, out int slot, out bool originatorIsLower)))
        {
            slot = _flows.FindOrInsert(key, timestampNanos, out created);
            originatorIsLower = created ? sourceIsLower : _flows[slot].OriginatorIsLower;
        }
        if (!created && StartsNewConnection(ref _flows[slot], packet.Packet))
        {
            FlowsReused++;
            _flows.Remove(slot, FlowEndReason.Reused);
            slot = _flows.FindOrInsert(key, timestampNanos, out created);
            originatorIsLower = sourceIsLower;
        }

        ref var flow = ref _flows[slot];
        if (created)
        {
            flow.OriginatorIsLower = sourceIsLower;
            flow.FirstPacketIndex = index;
            flow.Shard = ShardOf(key);
            StartSlot(slot);
        }
        packet.Shard = flow.Shard;
        packet.Direction = sourceIsLower == originatorIsLower ? FlowDirection.AToB : FlowDirection.BToA;
        packet.FlowFirstPacketIndex = flow.FirstPacketIndex;
        if (packet.Direction == FlowDirection.AToB)
        {
            flow.PacketsAToB++;
            flow.BytesAToB += wireLength;
        }
        else
        {
            flow.PacketsBToA++;
            flow.BytesBToA += wireLength;
        }
        var timeoutClass = TrackLifecycle(ref flow, packet.Packet, packet.Direction);
        _flows.Touch(slot, timestampNanos, timeoutClass);
        return RunStages(ref packet, slot, 0, endStage);
    }

    /// <summary>
    /// Puts a flow's state, taken from a durable flow entity, into this partition's table before
    /// its packets run. <paramref name="rulesStamp"/> identifies the rules this partition's chain
    /// was built from; cached rule decisions made under other rules are cleared.
    /// </summary>
    /// <returns>The flow's key.</returns>
    /// <exception cref="FlowSnapshotException">The snapshot cannot be read; the message names <paramref name="flowName"/>.</exception>
    public FlowKey ImportFlow(ReadOnlySpan<byte> snapshot, long rulesStamp, string flowName)
    {
        var engine = FlowSnapshot.ReadEngine(snapshot, flowName);
        if (_flows.TryFind(engine.Key, out int existing))
        {
            DetachSlot(existing);
        }
        int slot = _flows.FindOrInsert(engine.Key, engine.LastSeenNanos, out _);
        StartSlot(slot);
        FlowState state;
        try
        {
            state = FlowSnapshot.Decode(snapshot, slot, _sectionKeys, _stages, rulesStamp, flowName);
        }
        catch (FlowSnapshotException)
        {
            DetachSlot(slot);
            throw;
        }
        state.Shard = ShardOf(engine.Key);
        _flows[slot] = state;
        _flows.Touch(slot, state.LastSeenNanos, TimeoutClassOf(state));
        return engine.Key;
    }

    /// <summary>
    /// Makes this partition run as flow shard <paramref name="shard"/>'s step (every packet in that
    /// slice) and puts the slice's state, as <see cref="ExportSlice"/> wrote it (empty: a slice never
    /// seen), into the stages that keep slice state.
    /// </summary>
    /// <exception cref="FlowSnapshotException">The state cannot be read; the message names <paramref name="where"/>.</exception>
    public void EnterSlice(int shard, ReadOnlySpan<byte> state, string where)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, _flowShards);
        FixedShard = shard;
        SliceState.Read(state, shard, _definitions, _stages, where);
    }

    /// <summary>Slice <paramref name="shard"/>'s state of every stage that keeps one (what <see cref="EnterSlice"/> reads).</summary>
    public byte[] ExportSlice(int shard) => SliceState.Write(shard, _definitions, _stages);

    private int ShardOf(in FlowKey key) => !_slices ? 0 : FixedShard >= 0 ? FixedShard : FlowShardHash.ShardOf(key.ToString(), _flowShards);

    /// <summary>The alias of <paramref name="key"/>'s live flow (a NAT's translated reply tuple), if it has one.</summary>
    public bool TryGetAlias(in FlowKey key, out FlowKey alias)
    {
        alias = default;
        return _flows.AliasCount > 0 && _flows.TryFind(key, out int slot) && _flows.TryGetAlias(slot, out alias);
    }

    /// <summary>Capture time of the last packet of <paramref name="key"/>'s live flow (false: the table has none).</summary>
    public bool TryGetLastSeen(in FlowKey key, out long lastSeenNanos)
    {
        bool live = _flows.TryFind(key, out int slot);
        lastSeenNanos = live ? _flows[slot].LastSeenNanos : 0;
        return live;
    }

    /// <summary>
    /// Ends every flow in the table idle past its class timeout at capture time
    /// <paramref name="nowNanos"/> (end <c>expired</c>), as the table does while packets arrive: a
    /// durable shard imports the flows it holds that went idle and expires them at its partition's clock.
    /// </summary>
    public void ExpireIdle(long nowNanos) => _flows.ExpireIdle(nowNanos);

    /// <summary>
    /// Takes <paramref name="key"/>'s live flow out of the table as a snapshot (null when there is
    /// none), so that the table holds no flow once a durable step is done with it.
    /// </summary>
    public byte[]? ExportFlow(in FlowKey key, long rulesStamp, out FlowTimeoutClass timeoutClass)
    {
        if (!_flows.TryFind(key, out int slot))
        {
            timeoutClass = FlowTimeoutClass.Other;
            return null;
        }
        byte[] snapshot = Snapshot(slot, rulesStamp, out timeoutClass);
        DetachSlot(slot);
        return snapshot;
    }

    /// <summary>
    /// <paramref name="key"/>'s live flow as a snapshot, leaving it in the table (null when there
    /// is none: the flow ended): what the fast path commits to its flow shard.
    /// </summary>
    public byte[]? SnapshotFlow(in FlowKey key, long rulesStamp, out FlowTimeoutClass timeoutClass)
    {
        if (!_flows.TryFind(key, out int slot))
        {
            timeoutClass = FlowTimeoutClass.Other;
            return null;
        }
        return Snapshot(slot, rulesStamp, out timeoutClass);
    }

    /// <summary>
    /// Moves every live flow into <paramref name="next"/>, a partition built from other rules
    /// (stamped <paramref name="nextRulesStamp"/>): the flows keep their state, their cached rule
    /// decisions are dropped, and this partition keeps only what it recorded.
    /// </summary>
    public void MoveFlowsTo(ChainPartition next, long rulesStamp, long nextRulesStamp)
    {
        ArgumentNullException.ThrowIfNull(next);
        foreach (var key in _flows.LiveKeys())
        {
            byte[] snapshot = ExportFlow(key, rulesStamp, out _)!;
            next.ImportFlow(snapshot, nextRulesStamp, key.ToString());
        }
    }

    private byte[] Snapshot(int slot, long rulesStamp, out FlowTimeoutClass timeoutClass)
    {
        ref var flow = ref _flows[slot];
        timeoutClass = TimeoutClassOf(flow);
        return FlowSnapshot.Encode(flow, slot, _sectionKeys, _stages, rulesStamp);
    }

    private void StartSlot(int slot)
    {
        foreach (var stage in _stages)
        {
            stage.StartFlow(slot);
        }
    }

    // The flow's state has moved into a snapshot: the NFs release what they hold, nothing is recorded.
    private void DetachSlot(int slot)
    {
        foreach (var stage in _stages)
        {
            stage.EndFlow(slot);
        }
        _flows.Detach(slot);
    }

    /// <summary>Runs a packet that has no flow in the table on a state started for it and ended after it.</summary>
    private Verdict RunScratch(ref PacketContext packet, int firstStage, int endStage)
    {
        for (int i = firstStage; i < endStage; i++)
        {
            _stages[i].StartFlow(FlowSlot.Scratch);
        }
        var verdict = RunStages(ref packet, FlowSlot.Scratch, firstStage, endStage);
        for (int i = firstStage; i < endStage; i++)
        {
            _stages[i].EndFlow(FlowSlot.Scratch);
        }
        return verdict;
    }

    private Verdict ContinueStages(ref PacketContext packet, in FlowKey key, bool sourceIsLower, int firstStage, int endStage)
    {
        if (!_flows.TryFind(key, out int slot))
        {
            // The first step saw the flow; if it is gone here, the later stages get a fresh state
            // for this packet only, as for an unparsed packet.
            packet.Direction = FlowDirection.AToB;
            return RunScratch(ref packet, firstStage, endStage);
        }
        ref var flow = ref _flows[slot];
        packet.Shard = flow.Shard;
        packet.Direction = sourceIsLower == flow.OriginatorIsLower ? FlowDirection.AToB : FlowDirection.BToA;
        packet.FlowFirstPacketIndex = flow.FirstPacketIndex;
        return RunStages(ref packet, slot, firstStage, endStage);
    }

    /// <summary>The frame copied into the rewrite buffer (grown, rarely, for a larger frame).</summary>
    private Span<byte> Writable(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > _rewriteBuffer!.Length)
        {
            _rewriteBuffer = new byte[Math.Max(frame.Length, _rewriteBuffer.Length * 2)];
        }
        var writable = _rewriteBuffer.AsSpan(0, frame.Length);
        frame.CopyTo(writable);
        return writable;
    }

    private static FlowTimeoutClass TimeoutClassOf(in FlowState flow) => TcpConnection.TimeoutClass(flow.Key.Protocol, flow.Tcp);

    /// <summary>
    /// Forgets the alerts and flow records gathered so far. A durable step copies out what it
    /// added before it gives the partition back; clearing lets the pool keep the partition
    /// (building one compiles its rules again) instead of letting the records grow.
    /// </summary>
    public void ClearRecords()
    {
        Alerts.Clear();
        _finished.Clear();
    }

    /// <summary>Ends every live flow (end of run) so that each appears in <see cref="FinishedFlows"/>, and flushes the output.</summary>
    public void Finish()
    {
        _flows.RemoveAll(FlowEndReason.EndOfRun);
        _output?.Flush();
    }

    /// <summary>A batch of <paramref name="packets"/> packets ended after <paramref name="elapsed"/>: the output hears of it and hands on what it buffered.</summary>
    public void EndBatch(int packets, TimeSpan elapsed)
    {
        if (_output is { } output)
        {
            output.BatchEnded(packets, elapsed);
            output.Flush();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Verdict RunStages(ref PacketContext packet, int flow, int firstStage, int endStage)
    {
        var stages = _stages;
        for (int i = firstStage; i < endStage; i++)
        {
            ref var counters = ref StageCounters[i];
            counters.PacketsIn++;
            var verdict = stages[i].Process(ref packet, flow);
            if (verdict.IsDrop)
            {
                return Drop(i, verdict, in packet);
            }
            counters.PacketsOut++;
        }
        if (endStage == stages.Length)
        {
            Forwarded++;
            if (packet.IsRewritten && _output is { } output)
            {
                output.Rewritten(in packet);
            }
        }
        return Verdict.Forward;
    }

    /// <summary>
    /// Counts a drop by stage <paramref name="stage"/>. In a chain with two stages of its kind the
    /// reason is qualified by the stage's name (<c>tenant/firewall:rule:3</c>), so the totals
    /// never mix two policies' reasons; each qualified string is made once.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Verdict Drop(int stage, Verdict verdict, in PacketContext packet)
    {
        StageCounters[stage].Drops++;
        Dropped++;
        string reason = verdict.Reason ?? _stages[stage].GetType().Name;
        if (_qualifiedReasons[stage] is { } qualified)
        {
            if (!qualified.TryGetValue(reason, out string? named))
            {
                qualified[reason] = named = $"{_definitions[stage].Name}/{reason}";
            }
            reason = named;
            verdict = Verdict.Drop(named);
        }
        DropsByReason[reason] = DropsByReason.GetValueOrDefault(reason) + 1;
        _output?.Dropped(in packet, _definitions[stage].Name, reason);
        return verdict;
    }

    /// <summary>
    /// Keeps the report's <c>maxFlows</c> largest of the ended flows (by bytes, the earlier first
    /// on a tie) and counts the others as omitted: memory stays bounded whatever the traffic, and
    /// the flows a reader most wants stay. Done when the list reaches twice the bound, so it costs
    /// O(log n) a flow on the average.
    /// </summary>
    private void KeepLargestFlows()
    {
        var kept = _finished.OrderByDescending(f => f.BytesAToB + f.BytesBToA).ThenBy(f => f.FirstPacketIndex).Take(_maxFlowRecords).ToList();
        FlowRecordsOmitted += _finished.Count - kept.Count;
        _finished.Clear();
        _finished.AddRange(kept);
    }

    private static bool StartsNewConnection(ref FlowState flow, in ParsedPacket packet) =>
        packet.IsTcp && TcpConnection.StartsNewConnection(flow.Tcp, packet.TcpFlags);

    private static FlowTimeoutClass TrackLifecycle(ref FlowState flow, in ParsedPacket packet, FlowDirection direction)
    {
        if (packet.IsTcp)
        {
            TcpConnection.Track(ref flow.Tcp, packet.TcpFlags, direction == FlowDirection.AToB);
        }
        return TcpConnection.TimeoutClass(packet.Protocol, flow.Tcp);
    }

    private void OnFlowEnd(int slot, ref FlowState flow, FlowEndReason reason)
    {
        string? appProto = null;
        foreach (var stage in _stages)
        {
            appProto ??= stage.AppProtocol(slot);
            stage.EndFlow(slot);
        }
        string? translated = _flows.TryGetAlias(slot, out var alias) ? alias.ToString() : null;
        var record = FlowRecord.From(ref flow, reason, appProto, translated);
        _finished.Add(record);
        if (!_recordEveryFlow && _finished.Count >= 2 * _maxFlowRecords)
        {
            KeepLargestFlows();
        }
        _output?.FlowEnded(record);
    }
}

/// <summary>Packets into and out of one stage, and its drops.</summary>
public struct StageCounters
{
    public long PacketsIn;
    public long PacketsOut;
    public long Drops;
}
