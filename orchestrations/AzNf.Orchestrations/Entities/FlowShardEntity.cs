using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Entities;

/// <summary>
/// The <c>flows</c> entity, one per flow shard of a chain (key <c>{chain}:{shard}</c>): the
/// per-flow state of every flow whose key hashes to the shard, and the actor that runs the NF
/// stages on them. <c>Process</c> reads the shard's slice of a batch from the packet store, runs
/// the stages against the flows it holds and stores them back, so that state and processing
/// commit together (the entity's state and its reply are one write of the backend). Operations:
/// <c>Process</c>, <c>Get</c> (one flow).
/// </summary>
/// <remarks>
/// Versions per flow make a redelivered or re-cut batch a no-op for what was applied (see
/// <see cref="ShardStepRunner"/>). Idle expiry is wall-clock, as the <c>flow</c> entity's, never
/// sooner than <see cref="FlowEntity.MinimumIdleTimeout"/>, and done by every <c>Process</c> for
/// the whole map; an expired flow stays as a tombstone (its version) for redeliveries.
/// </remarks>
public sealed class FlowShardEntity : TaskEntity<FlowShardState?>
{
    public const string Name = "flows";

    private readonly FlowShardProcessor _processor;

    public FlowShardEntity(IChainSource chains, IPacketBatchStore store)
        : this(new FlowShardProcessor(chains, store, TimeProvider.System, FlowEntity.MinimumIdleTimeout))
    {
    }

    internal FlowShardEntity(FlowShardProcessor processor)
    {
        _processor = processor;
    }

    /// <summary>Runs a step over this shard's slice of a batch; a late step changes nothing.</summary>
    public async Task<ShardStepResult> Process(ShardStep step)
    {
        var (result, state) = await _processor.RunAsync(step, State, Context.Id.Key);
        State = state;
        return result;
    }

    /// <summary>One flow as the shard holds it (null: the shard never saw it).</summary>
    public FlowEntityState? Get(string flowKey)
    {
        ArgumentNullException.ThrowIfNull(flowKey);
        var map = FlowShardMap.Decode(State?.Map, $"flow shard {Context.Id.Key}");
        return map.Flows.TryGetValue(flowKey, out var flow) ? View(flow) : null;
    }

    /// <summary>The flows of a shard as the report and the API show them.</summary>
    public static IEnumerable<(string Key, FlowEntityState State)> Flows(FlowShardState? state, string shard)
    {
        var map = FlowShardMap.Decode(state?.Map, $"flow shard {shard}");
        return map.Flows.Select(f => (f.Key, View(f.Value)));
    }

    protected override FlowShardState? InitializeState(TaskEntityOperation entityOperation) => null;

    private static FlowEntityState View(ShardFlow flow) => new()
    {
        Version = flow.Version,
        Snapshot = flow.Snapshot,
        LastAppliedUtc = flow.LastAppliedUtc,
        IdleTimeoutSeconds = flow.IdleTimeoutSeconds,
    };
}

/// <summary>The <c>flows</c> entity's state: the shard's flow map (<see cref="FlowShardMap"/>, compressed) and two numbers for operators.</summary>
public sealed class FlowShardState
{
    public byte[]? Map { get; set; }

    public int Flows { get; set; }

    public long Steps { get; set; }

    /// <summary>Per partition, the last batch (its last sequence number) whose chain this shard completed.</summary>
    public Dictionary<int, long> Batches { get; set; } = [];
}

/// <summary>
/// What the <c>flows</c> entity's <c>Process</c> does, apart from the entity: reads the slice from
/// the packet store, runs the step against the shard's map and gives back the new state (the old
/// one when the step was late).
/// </summary>
public sealed class FlowShardProcessor(IChainSource chains, IPacketBatchStore store, TimeProvider clock, TimeSpan minimumIdle)
{
    private readonly ShardStepRunner _runner = new();

    public async Task<(ShardStepResult Result, FlowShardState? State)> RunAsync(ShardStep step, FlowShardState? state, string shard)
    {
        ArgumentNullException.ThrowIfNull(step);
        var compiled = await chains.GetChainAsync(step.ChainName, step.RuleSetVersion, step.BlocklistVersion, CancellationToken.None);
        var bytes = await store.ReadAsync(step.Blob, step.Slice.Offset, step.Slice.Length);
        var packets = PacketSliceFormat.Read(bytes, step.Slice, step.Blob);
        var map = FlowShardMap.Decode(state?.Map, $"flow shard {shard}");
        var result = _runner.Run(step, packets, map, compiled, clock.GetUtcNow().UtcDateTime, minimumIdle);
        if (result.Late)
        {
            return (result, state);
        }
        byte[] encoded = map.Encode();
        var batches = state?.Batches ?? [];
        if (step.FirstStage + step.StageCount == compiled.Chain.Stages.Count)
        {
            batches[step.Partition] = Math.Max(batches.GetValueOrDefault(step.Partition, -1), step.BatchSequenceNumber);
        }
        var stored = new FlowShardState { Map = encoded, Flows = map.Flows.Count, Steps = (state?.Steps ?? 0) + 1, Batches = batches };
        return (result with { StateBytes = encoded.Length }, stored);
    }
}
