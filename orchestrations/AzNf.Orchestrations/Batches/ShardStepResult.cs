using System.Text.Json.Serialization;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// What a flow shard's <c>Process</c> did: compact — drops as (slice index, reason), alerts,
/// flows that ended, per-source deltas and per-stage counts, never a verdict per packet.
/// </summary>
public sealed record ShardStepResult
{
    /// <summary>The step could not finish by its deadline: it changed nothing.</summary>
    public bool Late { get; init; }

    /// <summary>The shard has not yet stored a step this one comes after (named here): nothing ran; ask again later.</summary>
    public string? Behind { get; init; }

    public int Shard { get; init; }

    public long Packets { get; init; }

    public long Bytes { get; init; }

    /// <summary>Packets this shard had already applied (a redelivered or re-cut batch): not run again.</summary>
    public long Duplicates { get; init; }

    /// <summary>Slice indexes of the packets these stages dropped, with the index of their reason in <see cref="Reasons"/>.</summary>
    public IReadOnlyList<int> DroppedPackets { get; init; } = [];

    public IReadOnlyList<int> DropReasons { get; init; } = [];

    public IReadOnlyList<string> Reasons { get; init; } = [];

    public IReadOnlyList<ReportAlert> Alerts { get; init; } = [];

    /// <summary>Alerts the step raised (also when they went to <see cref="Records"/>).</summary>
    public long AlertCount { get; init; }

    /// <summary>The step's finished flows and alerts, when too many to travel inline (then both lists are empty).</summary>
    public RecordsRef? Records { get; init; }

    public IReadOnlyList<StageOutcome> Stages { get; init; } = [];

    public IReadOnlyList<ReportFlow> FinishedFlows { get; init; } = [];

    [JsonIgnore]
    public IReadOnlyList<SourceUpdate> Sources { get; init; } = [];

    /// <summary><see cref="Sources"/> as they travel: binary and compressed (thousands of sources in a mixed-traffic batch would pass the backend's message limit as JSON).</summary>
    [JsonPropertyName("sources")]
    public byte[] SourcesPacked
    {
        get => SourceBatch.From(Sources).Updates;
        init => Sources = new SourceBatch(value).Read("a shard step's reply");
    }

    /// <summary>Flows of the shard the slice touched.</summary>
    public int FlowsTouched { get; init; }

    /// <summary>Flows (live and tombstones) the shard holds after the step.</summary>
    public int FlowsHeld { get; init; }

    /// <summary>Bytes of the shard's stored map after the step (what the entity writes).</summary>
    public long StateBytes { get; init; }

    /// <summary>
    /// The last batch of the step's partition the shard's <em>stored</em> state was done with when
    /// the step's batch of entity operations began (−1: none): what its sender may purge. The step's
    /// own batch is not in it — the reply leaves before the shard's state is stored.
    /// </summary>
    public long StoredBatch { get; init; } = -1;

    /// <summary>The process that ran the step (machine and process id): which worker did the NF work.</summary>
    public string? Worker { get; init; }

    /// <summary>Time inside the NF stages and the map's decode/encode, milliseconds.</summary>
    public double ElapsedMs { get; init; }
}

/// <summary>One source address's share of a step: what its flows added (merged per batch into the source shards).</summary>
public sealed record SourceUpdate(string Address, long Alerts, long Drops, long NewFlows, IReadOnlyList<ushort> DestinationPorts);
