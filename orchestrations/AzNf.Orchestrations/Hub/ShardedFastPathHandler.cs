using System.Diagnostics;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// The fast path with durable flows: each partition's chain runs in process on an in-memory flow
/// table, as <see cref="ChainPartitionHandler"/> does, and every few seconds the flows that
/// changed are group-committed to the chain's flow shards (the same <c>flows</c> entities the
/// durable path keeps them in), each at the sequence number of its last packet. The consumer's
/// checkpoint never passes the last commit (<see cref="IPartitionCheckpointGate"/>).
/// </summary>
/// <remarks>
/// A new owner of a partition loads the partition's flows from the shards and replays from the
/// checkpoint; a packet at or below its flow's stored version was applied by the owner before,
/// so it is skipped. A shard takes a flow only above the version it holds, so a late commit of an
/// old owner changes nothing. What is not kept: the partition's alerts and counters of packets
/// the old owner ran after its last commit are reported by both owners (outputs are the outputs
/// work's).
/// Rules follow the chain's RuleSet and Blocklist entities, as the durable path's do: their versions
/// are re-read at most every <see cref="ShardedFastPathOptions.PolicyRefresh"/>, and a partition
/// whose chain is older rebuilds it from the new rules before its next batch, moving its live
/// flows over (cached rule decisions dropped). Until a rule set is published, the chain file's
/// rules apply.
/// </remarks>
public sealed class ShardedFastPathHandler : IPartitionBatchHandler, IPartitionCheckpointGate
{
    private readonly IChainTaskHub _hub;
    private readonly ChainDefinition _chain;
    private readonly int _partitionCount;
    private readonly ShardedFastPathOptions _options;
    private readonly PartitionState?[] _partitions;
    private readonly PolicyChainSource _policies;
    private readonly StoredPurges _purges;
    private readonly SemaphoreSlim _policyRead = new(1, 1);
    private CompiledChain? _latest;
    private long _policyReadAt;
    private long _policyFailures;

    public ShardedFastPathHandler(IChainTaskHub hub, ChainDefinition chain, int partitionCount, ShardedFastPathOptions options)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        options.Validate();
        if (chain.KeepsSliceState)
        {
            // A new owner would start such a stage's slices fresh: the batch path stores them with the shards.
            throw new ArgumentException($"stage '{chain.Stages.First(s => s.KeepsSliceState).Name}' keeps state per (partition, flow shard) slice, which the fast path does not commit yet: run the chain on the batch path", nameof(chain));
        }
        _hub = hub;
        _chain = chain;
        _partitionCount = partitionCount;
        _options = options;
        _partitions = new PartitionState?[partitionCount];
        var reader = new EntityPolicyReader();
        reader.Attach(hub);
        _policies = new PolicyChainSource(reader);
        // A purge that cannot tell what the shards stored fails the commit, as a failed purge does.
        _purges = new StoredPurges(hub, chain.Name, options.UnconfirmedCommitsBeforeRead, options.CompletionPoll, PurgeCommitAsync, failure => throw new InvalidOperationException(failure));
    }

    /// <summary>The chain state of <paramref name="partition"/> here, or null when it is not open.</summary>
    public ChainPartition? Partition(int partition) => _partitions[partition]?.Chain;

    /// <summary>Packets skipped because a previous owner had applied them (at or below their flow's stored version).</summary>
    public long ReplaySkipped => _partitions.Sum(p => p?.ReplaySkipped ?? 0);

    /// <summary>Group commits that stored flows.</summary>
    public long Commits => _partitions.Sum(p => p?.Commits ?? 0);

    public long CheckpointableThrough(int partition) => _partitions[partition]?.CommittedThrough ?? -1;

    /// <summary>The rules <paramref name="partition"/> runs now: null while the chain file's (no rule set published).</summary>
    public CompiledChain? Rules(int partition) => _partitions[partition]?.Compiled;

    /// <summary>Policy reads or rule builds that failed (the partitions kept their rules).</summary>
    public long PolicyFailures => Interlocked.Read(ref _policyFailures);

    /// <summary>The last such failure, naming the chain.</summary>
    public string? PolicyError { get; private set; }

    /// <summary>Times a partition rebuilt its chain for newer rules.</summary>
    public long RuleChanges => _partitions.Sum(p => p?.RuleChanges ?? 0);

    /// <summary>Takes the partition's flows from the flow shards: the state the last owner committed.</summary>
    public async ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation)
    {
        var compiled = await LatestRulesAsync(cancellation);
        var state = new PartitionState(new ChainPartition(compiled?.Chain ?? _chain, partition)) { Compiled = compiled };
        string prefix = _chain.Name + ":";
        await foreach (var (key, shard) in _hub.QueryEntitiesAsync<FlowShardState>(FlowShardEntity.Name, cancellation))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            state.StoredThrough = Math.Max(state.StoredThrough, shard.Batches.GetValueOrDefault(partition, -1));
            var map = await FlowShardProcessor.LoadAsync(shard, key, _hub.Packets, cancellation);
            foreach (var (flowKey, flow) in map.Flows)
            {
                if (UnitKeys.IsSlice(flowKey))
                {
                    continue; // a batch run's slice state: the fast path keeps none
                }
                if (flow.Snapshot is { } snapshot)
                {
                    var held = FlowSnapshot.Read(snapshot, flowKey);
                    if (held.Key.PartitionOf(_partitionCount) != partition)
                    {
                        continue;
                    }
                    state.Chain.ImportFlow(snapshot, state.RulesStamp, flowKey);
                }
                // Versions are sequence numbers of this partition only for its own flows; others never arrive here.
                if (flow.Version >= 0)
                {
                    state.Stored[flowKey] = flow.Version;
                }
            }
        }
        _partitions[partition] = state;
    }

    public async ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var state = _partitions[batch.Partition] ?? throw new InvalidOperationException($"partition {batch.Partition} was not opened before its first batch");
        if (await LatestRulesAsync(cancellation) is { } latest && !ReferenceEquals(latest, state.Compiled))
        {
            var next = new ChainPartition(latest.Chain, batch.Partition);
            state.Chain.MoveFlowsTo(next, state.RulesStamp, latest.RulesStamp);
            state.Earlier.Add(state.Chain);
            state.Chain = next;
            state.Compiled = latest;
            state.RuleChanges++;
        }
        foreach (ref readonly var packet in batch.Packets)
        {
            if (state.Position.Covers(packet))
            {
                continue;
            }
            var frame = batch.Frame(packet);
            var malformed = PacketParser.Parse(packet.LinkType, frame, out var parsed);
            FlowKey? key = null;
            if (malformed == MalformedReason.None)
            {
                key = FlowKey.From(parsed, out _);
                // Only while a replay can still reach what the previous owner stored.
                if (state.Stored.Count > 0 && state.Stored.TryGetValue(key.Value.ToString(), out long version) && packet.SequenceNumber <= version)
                {
                    state.ReplaySkipped++;
                    continue;
                }
            }
            long index = (packet.SequenceNumber * _options.PacketsPerEvent) + packet.PositionInEvent;
            state.Chain.Process(frame, parsed, malformed, packet.WireLength, packet.TimestampNanos, index);
            if (key is { } k)
            {
                state.Dirty[k] = packet.SequenceNumber;
            }
            state.Position.MoveTo(packet);
        }
        state.Handled = Math.Max(state.Handled, batch.LastSequenceNumber);
        if (state.Stored.Count > 0 && state.Handled > state.StoredThrough)
        {
            state.Stored.Clear();
        }
        if (state.Dirty.Count >= _options.MaxDirtyFlows || Stopwatch.GetElapsedTime(state.CommittedAt) >= _options.CommitInterval)
        {
            await CommitAsync(batch.Partition, cancellation);
        }
    }

    /// <summary>
    /// Stores the flows of <paramref name="partition"/> that changed since its last commit: one blob
    /// of per-shard maps and one <c>NfCommit</c> orchestration, awaited. Then the checkpoint may
    /// move up to the last packet handled.
    /// </summary>
    public async Task CommitAsync(int partition, CancellationToken cancellation)
    {
        var state = _partitions[partition] ?? throw new InvalidOperationException($"partition {partition} is not open");
        long through = state.Handled;
        if (state.Dirty.Count > 0)
        {
            var maps = new SortedDictionary<int, FlowShardMap>();
            foreach (var (key, sequence) in state.Dirty)
            {
                string text = key.ToString();
                int shard = FlowShards.ShardOf(text, _options.FlowShards);
                if (!maps.TryGetValue(shard, out var map))
                {
                    maps[shard] = map = new FlowShardMap();
                }
                byte[]? snapshot = state.Chain.SnapshotFlow(key, state.RulesStamp, out var timeoutClass);
                map.Set(text, new ShardFlow
                {
                    Version = sequence,
                    IdleTimeoutSeconds = ChainStepRunner.IdleTimeout((state.Compiled?.Chain ?? _chain).FlowTable, timeoutClass).TotalSeconds,
                    Snapshot = snapshot,
                });
            }
            using var blob = new MemoryStream();
            var shards = new List<int>();
            var commits = new List<ShardCommit>();
            string instanceId = $"nfc-{StorageNames.Safe(_chain.Name)}-p{partition}-s{through}";
            string name = $"commits/{instanceId}.fsc";
            foreach (var (shard, map) in maps)
            {
                byte[] encoded = map.Encode();
                shards.Add(shard);
                commits.Add(new ShardCommit(name, blob.Length, encoded.Length, ContentHash.Of(encoded), partition, through));
                blob.Write(encoded);
            }
            await _hub.Packets.PutAsync(name, blob.GetBuffer().AsMemory(0, (int)blob.Length), cancellation);
            await _hub.StartOrchestrationAsync(FlowCommitOrchestrator.Name, instanceId, new FlowCommit(_chain.Name, shards, commits), cancellation);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(_options.CommitTimeout);
            var outcome = await _hub.WaitForOutcomeAsync<FlowCommitResult>(instanceId, _options.CompletionPoll, timeout.Token);
            if (!outcome.Completed)
            {
                // The checkpoint stays where it was: a restart replays these packets.
                throw new InvalidOperationException($"partition {partition}: group commit {instanceId} of {state.Dirty.Count} flows: {outcome.Status}: {outcome.Failure}");
            }
            state.Dirty.Clear();
            state.Commits++;
            foreach (var (shard, stored) in outcome.Output?.ShardsStored ?? new Dictionary<int, long>())
            {
                _purges.NoteStored(shard, partition, stored);
            }
            // The commit's blob stays until its shards have stored it: a worker killed between a shard's reply and its commit gets the request again later.
            await _purges.PurgeAsync(partition, new ConsumedUnit(instanceId, [name], through, shards), closingReads: 0, cancellation);
        }
        state.CommittedThrough = Math.Max(state.CommittedThrough, through);
        state.CommittedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Commits what the partition still holds (an owner that loses it commits too: the shards ignore what a newer owner stored).</summary>
    public async ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation)
    {
        if (_partitions[partition] is null)
        {
            return;
        }
        await CommitAsync(partition, cancellation);
        await _purges.PurgeAsync(partition, null, reason == PartitionCloseReason.EndOfInput ? StoredPurges.ClosingReads : 1, cancellation);
        if (reason != PartitionCloseReason.EndOfInput)
        {
            _partitions[partition] = null;
        }
    }

    /// <summary>Group commits whose instance and blob are still in the hub: not yet shown stored by all their shards.</summary>
    public int UnpurgedCommits => _purges.Waiting;

    private async Task PurgeCommitAsync(ConsumedUnit commit, CancellationToken cancellation)
    {
        await _hub.PurgeAsync(commit.InstanceId, cancellation);
        foreach (string blob in commit.Blobs)
        {
            await _hub.Packets.DeleteAsync(blob, cancellation);
        }
    }

    /// <summary>
    /// The chain built from the newest published rules (null: none published, the chain file's
    /// apply), the versions re-read at most every <see cref="ShardedFastPathOptions.PolicyRefresh"/>.
    /// </summary>
    private async Task<CompiledChain?> LatestRulesAsync(CancellationToken cancellation)
    {
        if (_policyReadAt != 0 && Stopwatch.GetElapsedTime(Volatile.Read(ref _policyReadAt)) < _options.PolicyRefresh)
        {
            return _latest;
        }
        await _policyRead.WaitAsync(cancellation);
        try
        {
            if (_policyReadAt != 0 && Stopwatch.GetElapsedTime(_policyReadAt) < _options.PolicyRefresh)
            {
                return _latest;
            }
            try
            {
                var ruleSet = await _hub.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, _chain.Name, cancellation);
                var blocklist = await _hub.GetEntityStateAsync<BlocklistState>(BlocklistEntity.Name, BlocklistEntity.Key, cancellation);
                if (ruleSet is { Version: > 0 } && (_latest is null || _latest.RuleSetVersion != ruleSet.Version || _latest.BlocklistVersion != (blocklist?.Version ?? 0)))
                {
                    _latest = await _policies.GetChainAsync(_chain.Name, ruleSet.Version, blocklist?.Version ?? 0, cancellation);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Packets keep flowing under the rules in force; the next refresh tries again.
                Interlocked.Increment(ref _policyFailures);
                PolicyError = $"chain '{_chain.Name}': reading or building its rules failed, the partitions keep the rules they run: {e.Message.Split('\n')[0]}";
            }
            Volatile.Write(ref _policyReadAt, Stopwatch.GetTimestamp());
            return _latest;
        }
        finally
        {
            _policyRead.Release();
        }
    }

    private sealed class PartitionState(ChainPartition chain)
    {
        /// <summary>The partition's chain and flows, under <see cref="Compiled"/>'s rules.</summary>
        public ChainPartition Chain { get; set; } = chain;

        /// <summary>The rules <see cref="Chain"/> was built from (null: the chain file's).</summary>
        public CompiledChain? Compiled { get; set; }

        /// <summary>What identifies the rules in the flows' snapshots (0: the chain file's).</summary>
        public long RulesStamp => Compiled?.RulesStamp ?? 0;

        /// <summary>The partition's chains under earlier rules: what they recorded (alerts, finished flows) stays readable.</summary>
        public List<ChainPartition> Earlier { get; } = [];

        public long RuleChanges { get; set; }

        /// <summary>Per flow key text, the version a previous owner stored (cleared once the partition is past what it stored).</summary>
        public Dictionary<string, long> Stored { get; } = new(StringComparer.Ordinal);

        /// <summary>How far the previous owners' commits reached in this partition (what the shards keep per partition).</summary>
        public long StoredThrough { get; set; } = -1;

        /// <summary>Flows changed since the last commit, with the sequence number of their last packet.</summary>
        public Dictionary<FlowKey, long> Dirty { get; } = [];

        /// <summary>The last packet run here: a redelivered one at or before it is skipped.</summary>
        public PartitionPosition Position = new();

        public long Handled { get; set; } = -1;

        public long CommittedThrough { get; set; } = -1;

        public long CommittedAt { get; set; } = Stopwatch.GetTimestamp();

        public long ReplaySkipped { get; set; }

        public long Commits { get; set; }
    }
}

/// <summary>How often the fast path group-commits its flows, and to how many shards.</summary>
public sealed record ShardedFastPathOptions
{
    /// <summary>Flow shards per chain: the same value as the durable path's, so both find a flow in one place.</summary>
    public int FlowShards { get; init; } = 4;

    /// <summary>Longest time between commits of a partition (a commit also happens at <see cref="MaxDirtyFlows"/>).</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Changed flows at which a partition commits before its interval is up (bounds a commit's size).</summary>
    public int MaxDirtyFlows { get; init; } = 50_000;

    /// <summary>Bound on packets per event (the packet index is <c>sequence × bound + position</c>).</summary>
    public int PacketsPerEvent { get; init; } = 1;

    public TimeSpan CommitTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Group commits a partition keeps (instance and blob) while later replies have not shown that
    /// every shard has stored them; past this many the shards' states are read (one table read
    /// each), and at the partition's close always.
    /// </summary>
    public int UnconfirmedCommitsBeforeRead { get; init; } = 4;

    public TimeSpan CompletionPoll { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the RuleSet and Blocklist versions are re-read (two entity reads): the most a rule update waits to reach the partitions.</summary>
    public TimeSpan PolicyRefresh { get; init; } = TimeSpan.FromSeconds(1);

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(FlowShards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(FlowShards, Batches.FlowShards.MaxShards);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDirtyFlows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PacketsPerEvent, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(UnconfirmedCommitsBeforeRead);
        if (CommitInterval < TimeSpan.Zero || PolicyRefresh < TimeSpan.Zero || CommitTimeout <= TimeSpan.Zero || CompletionPoll <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CommitInterval), "commit interval and policy refresh must not be negative; timeout and poll must be positive");
        }
    }
}
