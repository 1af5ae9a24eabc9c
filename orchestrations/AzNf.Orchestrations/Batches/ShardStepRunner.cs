using System.Diagnostics;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// Runs a range of a chain's stages over one flow shard's slice of a batch, against the shard's
/// flow map: imports the flows the slice touches, runs the packets in partition order, exports
/// the flows again. Exactly once per flow: a packet of a batch the shard is done with (at or below
/// its partition's watermark), at or below its flow's version, or of a staged batch's stage already
/// done for the flow, is a duplicate and is not run again.
/// </summary>
/// <remarks>
/// <para>The map is changed only when the step finishes by its deadline, so a late step leaves the
/// shard exactly as it was (the caller's deadline policy decides the packets).</para>
/// <para>Idle expiry is by capture time, as in the embedded flow table: a step that completes the
/// chain expires the shard's flows of its partition that are idle past their class timeout at the
/// partition's clock (<see cref="ShardStep.ClockNanos"/>), through the NF stages, so they end
/// <c>expired</c> with the same record the embedded run gives. A flow that ended is kept (a
/// tombstone: its version) only until its partition's watermark covers it: a redelivery of what
/// the watermark covers is recognised without it.</para>
/// </remarks>
public sealed class ShardStepRunner
{
    private const int DeadlineCheckEvery = 64;

    private readonly ChainPartitionPool _pool = ChainPartitionPool.Shared;

    /// <param name="step">What to run.</param>
    /// <param name="packets">The slice's packets, in partition order.</param>
    /// <param name="map">The shard's flows; changed only if the result is not late.</param>
    /// <param name="compiled">The chain the step names.</param>
    /// <param name="finishedBatches">Per partition, the last batch the shard is done with before this step (its watermark).</param>
    /// <param name="nowUtc">Wall-clock time of the step (tombstone retention; idle expiry of flows without a partition).</param>
    /// <param name="tombstoneRetention">How long after its last change a tombstone the watermark cannot retire stays in the map.</param>
    public ShardStepResult Run(ShardStep step, IReadOnlyList<SlicePacket> packets, FlowShardMap map, CompiledChain compiled, IReadOnlyDictionary<int, long> finishedBatches, DateTime nowUtc, TimeSpan tombstoneRetention)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(packets);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(compiled);
        ArgumentNullException.ThrowIfNull(finishedBatches);
        var chain = compiled.Chain;
        CheckStages(step, compiled);
        long deadline = ChainStepRunner.DeadlineTimestamp(step.DeadlineUtc);
        if (Stopwatch.GetTimestamp() >= deadline)
        {
            return new ShardStepResult { Late = true, Shard = step.Slice.Shard };
        }
        long started = Stopwatch.GetTimestamp();
        int first = step.FirstStage;
        int end = first + step.StageCount;
        bool completesChain = end == chain.Stages.Count;
        var dropped = step.Dropped.Count == 0 ? null : new HashSet<int>(step.Dropped);
        long watermark = finishedBatches.GetValueOrDefault(step.Partition, -1);
        long clock = step.ClockNanos;

        // Pass 1: each packet's flow, and whether the shard has run these stages on it already.
        var keys = new string[packets.Count];
        var run = new bool[packets.Count];
        var touched = new Dictionary<string, Touched>(StringComparer.Ordinal);
        var names = new Dictionary<FlowKey, string>();
        string unparsedKey = UnitKeys.Unparsed(step.Partition);
        long duplicates = 0;
        for (int i = 0; i < packets.Count; i++)
        {
            var packet = packets[i];
            FlowKey? flowKey = null;
            string key = unparsedKey;
            if (PacketParser.Parse(packet.LinkType, packet.Frame.Span, out var parsed) == MalformedReason.None)
            {
                var k = FlowKey.From(parsed, out _);
                if (!names.TryGetValue(k, out key!))
                {
                    names[k] = key = k.ToString();
                }
                flowKey = k;
                // A reply to a NAT's outside address and port belongs to the flow that took them.
                if (map.Aliases.Count > 0 && !map.Flows.ContainsKey(key) && map.Aliases.TryGetValue(key, out string? aliased))
                {
                    key = aliased;
                    flowKey = null;
                }
            }
            if (!touched.TryGetValue(key, out var flow))
            {
                if (FlowShards.ShardOf(key, step.ShardCount) != step.Slice.Shard)
                {
                    throw new ArgumentException($"shard {step.Slice.Shard} of {step.ShardCount}: packet {packet.SequenceNumber}/{packet.PositionInEvent} belongs to flow {key} of shard {FlowShards.ShardOf(key, step.ShardCount)}", nameof(packets));
                }
                map.Flows.TryGetValue(key, out var held);
                // A flow found by its alias is named by its own key, which its snapshot holds.
                flowKey ??= held?.Snapshot is { } aliasedSnapshot ? FlowSnapshot.Read(aliasedSnapshot, key).Key : null;
                touched[key] = flow = new Touched(flowKey, held);
            }
            keys[i] = key;
            clock = Math.Max(clock, packet.TimestampNanos);
            var stored = flow.Held;
            bool applied = packet.SequenceNumber <= watermark
                || (stored is not null
                    && (packet.SequenceNumber <= stored.Version
                        || (stored.StagedBatch == step.BatchSequenceNumber && stored.StagesDone >= end)));
            if (applied)
            {
                duplicates++;
                continue;
            }
            flow.LastSequence = Math.Max(flow.LastSequence, packet.SequenceNumber);
            flow.Fresh = true;
            run[i] = dropped is null || !dropped.Contains(i);
        }

        var partition = chain.KeepsSliceState ? _pool.Rent(chain, step.Partition, step.PartitionCount) : _pool.Rent(chain);
        try
        {
            // A new alias (a NAT's reply tuple) must not take a key a flow of the shard holds that
            // this step did not bring in; the flows it did are in the table.
            if (chain.KeepsSliceState)
            {
                partition.Flows.KeysElsewhere = candidate =>
                {
                    string text = candidate.ToString();
                    return (map.Flows.TryGetValue(text, out var other) && other.Snapshot is not null && !touched.ContainsKey(text))
                        || (map.Aliases.TryGetValue(text, out string? owner) && !touched.ContainsKey(owner));
                };
            }
            // The slice's shared state (a rate limiter's buckets) goes in before the meter starts,
            // so that what the step reports is what it changed.
            string sliceKey = UnitKeys.Slice(step.Partition);
            bool slices = partition.KeepsSliceState;
            bool changesSlice = slices && partition.StoresSlice(first, end);
            if (slices)
            {
                map.Flows.TryGetValue(sliceKey, out var slice);
                partition.EnterSlice(step.Slice.Shard, slice?.Snapshot, $"shard {step.Slice.Shard} {sliceKey}");
            }
            int alertsBefore = partition.Alerts.Alerts.Count;
            int finishedBefore = partition.FinishedFlows.Count;
            var meter = StageMeter.Start(partition, first, end);
            foreach (var (key, flow) in touched)
            {
                if (flow.Fresh && flow.Key is not null && flow.Held?.Snapshot is { } snapshot)
                {
                    partition.ImportFlow(snapshot, compiled.RulesStamp, key);
                }
            }

            var droppedPackets = new List<int>();
            var dropReasons = new List<int>();
            var reasons = new List<string>();
            long packetCount = 0;
            long bytes = 0;
            for (int i = 0; i < packets.Count; i++)
            {
                if (!run[i])
                {
                    continue;
                }
                if (packetCount % DeadlineCheckEvery == 0 && Stopwatch.GetTimestamp() >= deadline)
                {
                    return new ShardStepResult { Late = true, Shard = step.Slice.Shard };
                }
                var packet = packets[i];
                var malformed = PacketParser.Parse(packet.LinkType, packet.Frame.Span, out var parsed);
                int alertsAt = partition.Alerts.Alerts.Count;
                var verdict = partition.Process(packet.Frame.Span, parsed, malformed, packet.WireLength, packet.TimestampNanos, packet.CaptureIndex, first, end);
                var flow = touched[keys[i]];
                flow.Alerts += partition.Alerts.Alerts.Count - alertsAt;
                packetCount++;
                bytes += packet.WireLength;
                if (verdict.IsDrop)
                {
                    flow.Drops++;
                    string reason = verdict.Reason ?? "unknown";
                    int r = reasons.IndexOf(reason);
                    if (r < 0)
                    {
                        r = reasons.Count;
                        reasons.Add(reason);
                    }
                    droppedPackets.Add(i);
                    dropReasons.Add(r);
                }
            }

            // A step that completes the chain moves its partition's clock: the shard's other flows of
            // the partition idle past their timeout by it end here, as the embedded table ends them.
            var expired = completesChain ? ExpireIdle(partition, map, touched, step.Partition, watermark, clock, compiled.RulesStamp) : [];

            // Export every flow the slice ran: the map takes the new snapshots (null: it ended here).
            var finished = partition.FinishedFlows.Skip(finishedBefore).ToList();
            var endedByKey = finished.ToLookup(r => r.Key);
            var updates = new Dictionary<string, ShardFlow>(StringComparer.Ordinal);
            var sources = new Dictionary<string, SourceTally>(StringComparer.Ordinal);
            foreach (var (key, flow) in touched)
            {
                if (!flow.Fresh)
                {
                    continue;
                }
                byte[]? snapshot = null;
                string? alias = null;
                var timeoutClass = FlowTimeoutClass.Other;
                long lastSeen = 0;
                if (flow.Key is { } flowKey && partition.TryGetLastSeen(flowKey, out lastSeen))
                {
                    alias = partition.TryGetAlias(flowKey, out var aliasKey) ? aliasKey.ToString() : null;
                    snapshot = partition.ExportFlow(flowKey, compiled.RulesStamp, out timeoutClass);
                }
                var held = flow.Held;
                updates[key] = new ShardFlow
                {
                    Version = completesChain ? Math.Max(flow.LastSequence, held?.Version ?? -1) : held?.Version ?? -1,
                    StagedBatch = completesChain ? 0 : step.BatchSequenceNumber,
                    StagesDone = completesChain ? 0 : end,
                    LastAppliedUtc = nowUtc,
                    IdleTimeoutSeconds = ChainStepRunner.IdleTimeout(chain.FlowTable, timeoutClass).TotalSeconds,
                    Partition = step.Partition,
                    LastSeenNanos = lastSeen,
                    Snapshot = snapshot,
                    Alias = alias,
                };
                if (flow.Key is not null && first == 0)
                {
                    TallySource(sources, key, flow, snapshot, endedByKey[flow.Key.Value]);
                }
            }
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return new ShardStepResult { Late = true, Shard = step.Slice.Shard };
            }

            if (changesSlice)
            {
                // Stored with the flows, in the same entity write: the slice moves exactly as far as they do.
                updates[sliceKey] = new ShardFlow
                {
                    Version = -1,
                    LastAppliedUtc = nowUtc,
                    IdleTimeoutSeconds = 0,
                    Partition = step.Partition,
                    Snapshot = partition.ExportSlice(step.Slice.Shard),
                };
            }

            // What the shard is done with once this step is stored: a flow that ended at or below it needs no tombstone.
            var watermarks = new Dictionary<int, long>(finishedBatches);
            if (completesChain)
            {
                watermarks[step.Partition] = Math.Max(watermark, step.BatchSequenceNumber);
            }
            foreach (var (key, update) in updates)
            {
                if (update.Snapshot is null && Covered(update, watermarks))
                {
                    map.Remove(key);
                }
                else
                {
                    map.Set(key, update);
                }
            }
            foreach (string key in expired)
            {
                map.Remove(key);
            }
            RetireTombstones(map, watermarks, nowUtc, tombstoneRetention);
            double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            return new ShardStepResult
            {
                Shard = step.Slice.Shard,
                Packets = packetCount,
                Bytes = bytes,
                Duplicates = duplicates,
                DroppedPackets = droppedPackets,
                DropReasons = dropReasons,
                Reasons = reasons,
                Alerts = partition.Alerts.Alerts.Skip(alertsBefore).Select(ReportAlert.From).ToList(),
                AlertCount = partition.Alerts.Alerts.Count - alertsBefore,
                Stages = meter.Outcomes(chain, elapsed),
                FinishedFlows = finished.Select(ReportFlow.From).ToList(),
                Sources = sources.Select(s => new SourceUpdate(s.Key, s.Value.Alerts, s.Value.Drops, s.Value.NewFlows, s.Value.Ports)).ToList(),
                FlowsTouched = updates.Count - (changesSlice ? 1 : 0),
                FlowsHeld = map.Flows.Count,
                ElapsedMs = elapsed,
            };
        }
        finally
        {
            _pool.Return(chain, partition);
        }
    }

    private static void CheckStages(ShardStep step, CompiledChain compiled)
    {
        var chain = compiled.Chain;
        if (step.FirstStage < 0 || step.StageCount < 1 || step.FirstStage + step.StageCount > chain.Stages.Count)
        {
            throw new ArgumentException(
                $"shard {step.Slice.Shard}: stages {step.FirstStage}..{step.FirstStage + step.StageCount - 1} do not exist in chain '{step.ChainName}' ({chain.Stages.Count} stages)", nameof(step));
        }
        for (int i = 0; i < step.StageNames.Count && i < step.StageCount; i++)
        {
            string actual = chain.Stages[step.FirstStage + i].Name;
            if (!string.Equals(actual, step.StageNames[i], StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"shard {step.Slice.Shard}: unknown stage '{step.StageNames[i]}': stage {step.FirstStage + i} of chain '{step.ChainName}' (rule set {compiled.RuleSetVersion}) is '{actual}'", nameof(step));
            }
        }
    }

    /// <summary>
    /// A flow's share of its originator's source delta: its alerts and drops, and one new flow when
    /// it had no live state before this step or its 5-tuple was reused here.
    /// </summary>
    private static void TallySource(Dictionary<string, SourceTally> sources, string key, Touched flow, byte[]? snapshot, IEnumerable<FlowRecord> ended)
    {
        FlowRecord? record = null;
        if (snapshot is not null)
        {
            var state = FlowSnapshot.Read(snapshot, key);
            record = FlowRecord.From(ref state, FlowEndReason.EndOfRun);
        }
        int reused = 0;
        foreach (var end in ended)
        {
            record ??= end;
            reused += end.End == FlowEndReason.Reused ? 1 : 0;
        }
        if (record is null)
        {
            return;
        }
        long newFlows = (flow.Held?.Snapshot is null ? 1 : 0) + reused;
        string source = record.AAddress.ToString();
        if (!sources.TryGetValue(source, out var tally))
        {
            sources[source] = tally = new SourceTally();
        }
        tally.Alerts += flow.Alerts;
        tally.Drops += flow.Drops;
        tally.NewFlows += newFlows;
        if (newFlows > 0 && !tally.Ports.Contains(record.BPort))
        {
            tally.Ports.Add(record.BPort);
        }
    }

    /// <summary>
    /// Ends the shard's live flows of <paramref name="partition"/> that the step did not touch and
    /// that are idle past their class timeout at <paramref name="clockNanos"/>: imported into the
    /// partition and expired by its flow table, so the NF stages end them and the record is the
    /// embedded run's. Answers their keys (the map drops them once the step is stored).
    /// </summary>
    private static List<string> ExpireIdle(ChainPartition chainPartition, FlowShardMap map, Dictionary<string, Touched> touched, int partition, long watermark, long clockNanos, long rulesStamp)
    {
        var candidates = new List<(string Key, FlowKey FlowKey)>();
        foreach (var (key, flow) in map.Flows)
        {
            if (flow.Partition == partition && flow.Snapshot is { } snapshot && !touched.ContainsKey(key) && !UnitKeys.IsSlice(key)
                && (flow.StagedBatch == 0 || flow.StagedBatch <= watermark)
                && clockNanos - flow.LastSeenNanos > (long)(flow.IdleTimeoutSeconds * 1e9))
            {
                candidates.Add((key, chainPartition.ImportFlow(snapshot, rulesStamp, key)));
            }
        }
        if (candidates.Count == 0)
        {
            return [];
        }
        chainPartition.ExpireIdle(clockNanos);
        var expired = new List<string>(candidates.Count);
        foreach (var (key, flowKey) in candidates)
        {
            // The table has the last word (its class of the flow); one it kept goes back unchanged.
            if (chainPartition.ExportFlow(flowKey, rulesStamp, out _) is null)
            {
                expired.Add(key);
            }
        }
        return expired;
    }

    /// <summary>True when every packet of <paramref name="flow"/> is at or below its partition's watermark (a redelivery of them is recognised without the flow).</summary>
    private static bool Covered(ShardFlow flow, IReadOnlyDictionary<int, long> watermarks) =>
        flow.Partition >= 0 && watermarks.TryGetValue(flow.Partition, out long watermark)
        && flow.Version <= watermark && flow.StagedBatch <= watermark;

    /// <summary>
    /// Drops tombstones the watermarks cover. A flow without a partition (committed by the fast
    /// path, or stored before flows kept one) expires by the wall clock and stays a tombstone for
    /// the retention, as before.
    /// </summary>
    private static void RetireTombstones(FlowShardMap map, IReadOnlyDictionary<int, long> watermarks, DateTime nowUtc, TimeSpan tombstoneRetention)
    {
        List<string>? removed = null;
        List<string>? retired = null;
        foreach (var (key, flow) in map.Flows)
        {
            if (flow.Snapshot is null)
            {
                if (Covered(flow, watermarks) || nowUtc >= flow.LastAppliedUtc + tombstoneRetention)
                {
                    (removed ??= []).Add(key);
                }
            }
            else if (flow.Partition < 0 && nowUtc >= flow.LastAppliedUtc + TimeSpan.FromSeconds(flow.IdleTimeoutSeconds))
            {
                (retired ??= []).Add(key);
            }
        }
        foreach (string key in retired ?? [])
        {
            map.Retire(key);
        }
        foreach (string key in removed ?? [])
        {
            map.Remove(key);
        }
    }

    private sealed class Touched(FlowKey? key, ShardFlow? held)
    {
        public FlowKey? Key { get; } = key;

        /// <summary>The flow as the shard held it before this step (null: never seen).</summary>
        public ShardFlow? Held { get; } = held;

        /// <summary>True when at least one packet of the flow is not a duplicate.</summary>
        public bool Fresh { get; set; }

        public long LastSequence { get; set; } = -1;

        public long Alerts { get; set; }

        public long Drops { get; set; }
    }

    private sealed class SourceTally
    {
        public long Alerts { get; set; }

        public long Drops { get; set; }

        public long NewFlows { get; set; }

        public List<ushort> Ports { get; } = [];
    }
}
