using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Batches;
using AzNf.Partitions;

namespace AzNf.Orchestrations.Hub;

/// <summary>How the durable path cuts partition batches into work units and runs them.</summary>
public sealed record DurableChainOptions
{
    /// <summary>Unit of work; null takes the chain file's <c>granularity</c>.</summary>
    public ChainGranularity? Granularity { get; init; }

    /// <summary>Fused (one activity) or staged (one per NF); null takes the chain file's <c>mode</c>.</summary>
    public ChainMode? Mode { get; init; }

    /// <summary>
    /// Bound on packets per event, so <c>sequence × bound + position</c> numbers packets in
    /// partition order (1 for the local log, where the sequence number is the capture index).
    /// </summary>
    public int PacketsPerEvent { get; init; } = 1;

    /// <summary>
    /// Subtracted from sequence numbers to give the packet numbers a report shows (the base a
    /// packet post fed its capture with, so alerts name packets of the posted capture).
    /// </summary>
    public long SequenceBase { get; init; }

    /// <summary>
    /// Keep every unit's tally and timing (a run's report needs them). A long-running consumer
    /// turns this off: it keeps running totals only, so its memory does not grow with its input.
    /// </summary>
    public bool KeepUnitResults { get; init; } = true;

    /// <summary>
    /// Record each partition batch's tally in the run ledger (<see cref="RunLedger"/>) before
    /// returning from the batch, and report from the ledger: a run that a new process resumes
    /// from its checkpoints reports every batch, whichever process handled it.
    /// </summary>
    public bool KeepLedger { get; init; }

    /// <summary>
    /// Awaited with each completed work unit's tally and how long the unit took, before the
    /// unit's counts are stored (so before the checkpoint passes it: a sink that fails holds the
    /// input back, and the unit's results come again), on the task that waited for the unit
    /// (several at once: the callee is thread-safe); and once more at a run's report with the
    /// flows the entities still held (no time). What metrics and EVE output read as the run
    /// goes. Null: nobody listens.
    /// </summary>
    public Func<ChainTally, TimeSpan?, Task>? UnitCompleted { get; init; }

    /// <summary>
    /// Where forwarded packets go (batch granularity): each batch's, before its checkpoint. Null:
    /// the chain's verdicts stay counts.
    /// </summary>
    public IPacketEgress? Egress { get; init; }

    /// <summary>Failure messages kept (the oldest go first); the count covers them all.</summary>
    public int MaxFailuresKept { get; init; } = 1000;

    /// <summary>Orchestrations one handler keeps running at once.</summary>
    public int MaxUnitsInFlight { get; init; } = 64;

    /// <summary>Fallback poll of the instance table while waiting for a unit (a worker in this process wakes the wait sooner).</summary>
    public TimeSpan CompletionPoll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the RuleSet and Blocklist versions are re-read: the most a rule update waits to reach new units.</summary>
    public TimeSpan PolicyRefresh { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait for one unit before the batch fails (and is redelivered, so nothing is lost).</summary>
    public TimeSpan UnitTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Batch granularity: how long a batch's step waits for its flow shard to store the step
    /// before it (a worker that died between sending a shard's reply and storing its state leaves
    /// the shard behind until the request is delivered again, after the queue's visibility
    /// timeout) before the batch fails. Shorter than <see cref="UnitTimeout"/>, so the failure names the shard.
    /// </summary>
    public TimeSpan ShardCatchUpTimeout { get; init; } = TimeSpan.FromMilliseconds(ChainBatch.DefaultCatchUpMs);

    /// <summary>Flow shards per chain (batch granularity): the <c>flows</c> entities a flow key hashes to. More shards, smaller maps per write, more entity steps per batch.</summary>
    public int FlowShards { get; init; } = 4;

    /// <summary>
    /// The run's partition count (the local log's, or the event hub's). Required for a chain whose
    /// stages keep slice state (a rate limiter shares its limits among the partitions and shards).
    /// </summary>
    public int? PartitionCount { get; init; }

    /// <summary>Source shards per chain (batch granularity): the <c>sources</c> entities per-source deltas are merged into, one signal each per batch.</summary>
    public int SourceShards { get; init; } = 4;

    /// <summary>
    /// Batch granularity: purge a batch's orchestration and delete its packet blob once its
    /// result is consumed and the partition has moved past it (at the partition's next batch and
    /// at its close), so the task hub does not grow with the input.
    /// </summary>
    public bool PurgeConsumedBatches { get; init; } = true;

    /// <summary>
    /// Batch granularity: consumed batches a partition keeps unpurged while later replies have not
    /// yet shown that every shard the batch touched has <em>stored</em> it (a shard's reply leaves
    /// before its state is stored, and a worker that dies in between gets the step again only
    /// after the visibility timeout — it needs the batch's blob then). Past this many, the handler
    /// reads those shards' states instead (one table read each); at a partition's close it always does.
    /// </summary>
    public int UnconfirmedBatchesBeforeRead { get; init; } = 4;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(FlowShards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FlowShards, Batches.FlowShards.MaxShards);
        ArgumentOutOfRangeException.ThrowIfLessThan(SourceShards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SourceShards, Batches.FlowShards.MaxShards);
        ArgumentOutOfRangeException.ThrowIfLessThan(PacketsPerEvent, 1);
        if (PartitionCount is int partitions)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1, nameof(PartitionCount));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxUnitsInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(SequenceBase);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFailuresKept, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(UnconfirmedBatchesBeforeRead);
        if (ShardCatchUpTimeout <= TimeSpan.Zero || ShardCatchUpTimeout >= UnitTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(ShardCatchUpTimeout), ShardCatchUpTimeout, $"must be positive and shorter than the unit timeout ({UnitTimeout})");
        }
        if (CompletionPoll <= TimeSpan.Zero || UnitTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CompletionPoll), "poll interval and unit timeout must be positive");
        }
    }
}
