namespace AzNf.Orchestrations.Batches;

/// <summary>
/// The input of a flow-shard entity's <c>Process</c>: run stages <see cref="FirstStage"/> ..
/// + <see cref="StageCount"/> − 1 over the shard's slice of a batch, against the shard's flows.
/// </summary>
public sealed record ShardStep
{
    public required string ChainName { get; init; }

    public required int Partition { get; init; }

    /// <summary>The batch's last sequence number (marks a staged batch's progress per flow).</summary>
    public required long BatchSequenceNumber { get; init; }

    /// <summary>
    /// The partition's capture clock once the batch has run (its latest packet time, nanoseconds
    /// since the Unix epoch; 0: unknown, the slice's own latest is taken): the shard expires its
    /// flows of the partition that are idle past their timeout by it, as the embedded flow table does.
    /// </summary>
    public long ClockNanos { get; init; }

    public required long RuleSetVersion { get; init; }

    public required long BlocklistVersion { get; init; }

    /// <summary>The run's partition count (a stage that keeps slice state shares its limits among them).</summary>
    public int PartitionCount { get; init; } = 1;

    /// <summary>Flow shards of the chain: a packet of another shard's flow is refused.</summary>
    public required int ShardCount { get; init; }

    public required string Blob { get; init; }

    public required SliceRef Slice { get; init; }

    public required int FirstStage { get; init; }

    public required int StageCount { get; init; }

    /// <summary>Stage names the plan expects, checked against the compiled chain.</summary>
    public required IReadOnlyList<string> StageNames { get; init; }

    /// <summary>Indexes (in the slice) of packets an earlier stage dropped: staged mode.</summary>
    public IReadOnlyList<int> Dropped { get; init; } = [];

    /// <summary>When the step must have finished; a step that cannot finish by then changes nothing.</summary>
    public DateTime? DeadlineUtc { get; init; }

    /// <summary>
    /// The last batch of this partition the sender saw the shard finish (−1: none known). A first
    /// stage waits until the shard's state shows it: a worker that died after sending a reply but
    /// before storing its state leaves the shard behind until the request comes back.
    /// </summary>
    public long AfterBatch { get; init; } = -1;
}
