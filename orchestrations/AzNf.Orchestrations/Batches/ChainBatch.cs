using System.Text.Json.Serialization;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// The input of the <c>NfBatch</c> orchestration: one partition batch by reference — its blob and
/// the slice of each flow shard it touches — with the plan and policy versions. No packet bytes.
/// </summary>
public sealed record ChainBatch
{
    public required string ChainName { get; init; }

    public required int Partition { get; init; }

    [JsonConverter(typeof(JsonStringEnumConverter<ChainMode>))]
    public ChainMode Mode { get; init; }

    /// <summary>Sequence number of the batch's first event.</summary>
    public required long FirstSequenceNumber { get; init; }

    /// <summary>Sequence number of the batch's last event: shard entities remember it while a staged batch is half done.</summary>
    public required long LastSequenceNumber { get; init; }

    /// <summary>The latest capture time in the batch (nanoseconds since the Unix epoch): the partition's clock, by which the shards expire idle flows.</summary>
    public long ClockNanos { get; init; }

    public required long RuleSetVersion { get; init; }

    public required long BlocklistVersion { get; init; }

    public required ChainPlan Plan { get; init; }

    /// <summary>Flow shards of the chain (what <see cref="FlowShards.ShardOf(string, int)"/> reduces a key by).</summary>
    public required int ShardCount { get; init; }

    /// <summary>The run's partition count (a stage that keeps slice state shares its limits among them); 1 when not given.</summary>
    public int PartitionCount { get; init; } = 1;

    /// <summary>Source shards the per-source deltas are merged into.</summary>
    public required int SourceShardCount { get; init; }

    /// <summary>The batch blob's name in the packet store.</summary>
    public required string Blob { get; init; }

    /// <summary>One slice per shard touched, in blob order.</summary>
    public required IReadOnlyList<SliceRef> Slices { get; init; }

    /// <summary>Per shard, the last batch of this partition the sender saw it finish: its step waits until the shard's state shows it (see <see cref="ShardStep.AfterBatch"/>).</summary>
    public IReadOnlyDictionary<int, long> PreviousBatches { get; init; } = new Dictionary<int, long>();

    /// <summary>The result lists each slice's dropped packets (<see cref="ChainBatchResult.DroppedBySlice"/>): an egress needs the verdicts.</summary>
    public bool ReturnDrops { get; init; }

    /// <summary>How long a step waits for its shard to store what comes before it, milliseconds, before the batch fails.</summary>
    public double CatchUpMs { get; init; } = DefaultCatchUpMs;

    /// <summary>Four times the backends' message visibility timeout (30 s): a dead worker's request is delivered again within it.</summary>
    public const double DefaultCatchUpMs = 120_000;
}
