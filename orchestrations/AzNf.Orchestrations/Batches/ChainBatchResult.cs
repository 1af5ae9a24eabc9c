using AzNf.Orchestrations.Models;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Batches;

/// <summary>The output of the <c>NfBatch</c> orchestration: the batch's totals, merged over its shards.</summary>
public sealed record ChainBatchResult
{
    public required string ChainName { get; init; }

    public required int Partition { get; init; }

    public required long LastSequenceNumber { get; init; }

    /// <summary>Packets that ran (duplicates excluded).</summary>
    public long Packets { get; init; }

    public long Bytes { get; init; }

    public long Forwarded { get; init; }

    public long Dropped { get; init; }

    /// <summary>Packets the shards had already applied (a redelivered or re-cut batch).</summary>
    public long Duplicates { get; init; }

    public IReadOnlyDictionary<string, long> DropReasons { get; init; } = new Dictionary<string, long>();

    public IReadOnlyList<ReportAlert> Alerts { get; init; } = [];

    /// <summary>Per stage, summed over the shards (time: the slowest shard's).</summary>
    public IReadOnlyList<StageOutcome> Stages { get; init; } = [];

    public IReadOnlyList<ReportFlow> FinishedFlows { get; init; } = [];

    /// <summary>
    /// With <see cref="ChainBatch.ReturnDrops"/>: per slice of the batch (in its order), the
    /// positions in the slice of the packets the chain dropped, ascending (a deadline's
    /// fail-closed drops included); every other packet was forwarded. Null otherwise.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>>? DroppedBySlice { get; init; }

    /// <summary>Records of shard steps that did not travel inline: read by the partition owner, deleted with the batch.</summary>
    public IReadOnlyList<RecordsRef> Records { get; init; } = [];

    /// <summary>Alerts raised, inline or in <see cref="Records"/>.</summary>
    public long AlertCount { get; init; }

    public bool ChainDeadlineMissed { get; init; }

    /// <summary>Shard steps that ran (entity operations).</summary>
    public int ShardSteps { get; init; }

    /// <summary>Shard steps that missed their deadline.</summary>
    public int LateSteps { get; init; }

    /// <summary>Bytes the shards wrote as their maps.</summary>
    public long StateBytes { get; init; }

    /// <summary>Shards whose step ran the batch's last stage in time: their state holds the batch (or will, once the entity's commit that follows its reply is stored).</summary>
    public IReadOnlyList<int> ShardsCompleted { get; init; } = [];

    /// <summary>Per shard a step of the batch ran on, the last batch of the partition its stored state was seen to hold (<see cref="ShardStepResult.StoredBatch"/>): earlier batches of these shards may be purged.</summary>
    public IReadOnlyDictionary<int, long> ShardsStored { get; init; } = new Dictionary<int, long>();

    /// <summary>The workers whose processes ran the batch's shard steps.</summary>
    public IReadOnlyList<string> Workers { get; init; } = [];

    /// <summary>Flows the batch touched.</summary>
    public long FlowsTouched { get; init; }
}
