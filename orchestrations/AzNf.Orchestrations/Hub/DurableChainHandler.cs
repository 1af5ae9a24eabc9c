using System.Collections.Concurrent;
using System.Diagnostics;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// The durable path behind a partition consumer: cuts each batch into work units (a packet, a
/// flowlet — one flow's packets in the batch — or a whole flow), runs one NfChain orchestration
/// per unit and returns when every unit of the batch has finished, so the consumer's checkpoint
/// never passes a packet whose effects are not stored in the task hub.
/// </summary>
/// <remarks>
/// Exactly-once per packet rests on two things: instance ids are made from the unit's first
/// packet (a redelivered batch finds the instance it started before, running or done), and the
/// flow entity keeps the last sequence number applied (a unit cut differently after a restart
/// changes nothing twice). Units of one flow run one after the other; flows run in parallel.
/// With <see cref="ChainGranularity.Flow"/> the handler holds a flow's packets until the flow
/// closes (RST, or a FIN from each side: <see cref="FlowHold"/>) or the partition ends, so a crash loses what it holds: that
/// granularity is for measuring, as the study did, not for production.
/// </remarks>
public sealed class DurableChainHandler : IPartitionBatchHandler
{
    private readonly IChainTaskHub _hub;
    private readonly ChainDefinition _chain;
    private readonly DurableChainOptions _options;
    private readonly ChainGranularity _granularity;
    private readonly ChainMode _mode;
    private readonly SemaphoreSlim _inFlight;
    private readonly IPacketBatchStore _packets;
    private readonly RunLedger? _ledger;
    private readonly BatchCounters _batchCounters = new();
    private readonly ConcurrentDictionary<(int Shard, int Partition), long> _expectedShards = new();
    private readonly StoredPurges _purges;
    private readonly ConcurrentDictionary<int, PartitionProgress> _progress = new();
    private readonly ConcurrentQueue<ChainTally> _tallies = new();
    private readonly ConcurrentQueue<UnitTiming> _timings = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, long> _expectedVersions = new(StringComparer.Ordinal);
    private (long RuleSet, long Blocklist, long ReadAt)? _policy;
    private long _duplicates;
    private long _skipped;
    private long _failureCount;
    private long _unitsCompleted;

    public DurableChainHandler(IChainTaskHub hub, ChainDefinition chain, DurableChainOptions options)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _hub = hub;
        _chain = chain;
        _options = options;
        _granularity = options.Granularity ?? chain.Granularity;
        _mode = options.Mode ?? chain.Mode;
        if (options.Egress is not null && _granularity != ChainGranularity.Batch)
        {
            throw new ArgumentException($"an egress needs batch granularity (the chain runs {ChainQosNames.Name(_granularity)} units, which return counts, not the forwarded packets)", nameof(options));
        }
        RequireSupported(chain, options, _granularity, _mode);
        _inFlight = new SemaphoreSlim(options.MaxUnitsInFlight);
        _packets = hub.Packets;
        _ledger = options.KeepLedger ? new RunLedger(hub.Packets, chain.Name) : null;
        _purges = new StoredPurges(hub, chain.Name, options.UnconfirmedBatchesBeforeRead, options.CompletionPoll, PurgeAsync, RecordFailure);
    }

    /// <summary>
    /// A chain whose stages keep slice state (a rate limiter, a NAT) runs only where each slice is
    /// one shard step's: batch granularity, the chain's own <c>flowShards</c> and the run's
    /// partition count known — otherwise its answers would not be the embedded runtime's. A chain
    /// that rewrites packets (a NAT) runs fused: a staged step reads the packets as they came, not
    /// as the stage before rewrote them, and a reply's alias is made by a later step than the
    /// earlier stages' of the same batch.
    /// </summary>
    /// <exception cref="ArgumentException">One of those does not hold; the message says which.</exception>
    public static void RequireSupported(ChainDefinition chain, DurableChainOptions options, ChainGranularity granularity, ChainMode mode)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(options);
        if (chain.Stages.FirstOrDefault(s => s.RewritesPackets) is { } rewriting)
        {
            if (mode == ChainMode.Staged)
            {
                throw new ArgumentException($"stage '{rewriting.Name}' rewrites packets, which only a fused chain passes on to the stages after it: run the chain fused", nameof(mode));
            }
            if (options.Egress is not null)
            {
                // A batch's result names the dropped packets; the egress sends the others as they were read.
                throw new ArgumentException($"stage '{rewriting.Name}' rewrites packets, and an egress sends the forwarded packets as they were read, not as rewritten: not supported yet", nameof(options));
            }
        }
        if (!chain.KeepsSliceState)
        {
            return;
        }
        string stage = chain.Stages.First(s => s.KeepsSliceState).Name;
        if (granularity != ChainGranularity.Batch)
        {
            throw new ArgumentException($"stage '{stage}' keeps state per (partition, flow shard) slice, which only batch units carry: run the chain at batch granularity (it runs {ChainQosNames.Name(granularity)} units)", nameof(granularity));
        }
        if (options.FlowShards != chain.FlowShards)
        {
            throw new ArgumentException($"stage '{stage}' keeps state per flow shard: the run's flow shards ({options.FlowShards}) must be the chain's flowShards ({chain.FlowShards})", nameof(options));
        }
        if (options.PartitionCount is null)
        {
            throw new ArgumentException($"stage '{stage}' shares its limits among the partitions: the run's partition count must be given", nameof(options));
        }
    }

    /// <summary>The options this handler runs with.</summary>
    public DurableChainOptions Options => _options;

    public ChainGranularity Granularity => _granularity;

    public ChainMode Mode => _mode;

    /// <summary>
    /// What every handled batch counted (its units' tallies and its unparsed frames): from the run
    /// ledger when <see cref="DurableChainOptions.KeepLedger"/> (so batches other processes handled
    /// count too), else what this handler kept.
    /// </summary>
    public async Task<IReadOnlyList<ChainTally>> ReadTalliesAsync(CancellationToken cancellation) =>
        _ledger is null ? [.. _tallies] : await _ledger.ReadAllAsync(cancellation);

    /// <summary>Start-to-finish time of each unit, as this handler saw it.</summary>
    public IReadOnlyCollection<UnitTiming> Timings => _timings;

    /// <summary>Units whose orchestration failed, each naming the flow and the reason (the latest <see cref="DurableChainOptions.MaxFailuresKept"/>).</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Every unit that failed, including those no longer in <see cref="Failures"/>.</summary>
    public long FailureCount => Interlocked.Read(ref _failureCount);

    /// <summary>Units that completed with their effects stored (duplicates included).</summary>
    public long UnitsCompleted => Interlocked.Read(ref _unitsCompleted);

    /// <summary>Units the flow entity had already applied (a redelivery after a crash).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Per flow key, the last sequence number of a unit that ran: the version its entity reaches.</summary>
    public IReadOnlyDictionary<string, long> ExpectedFlowVersions => _expectedVersions;

    /// <summary>Packets skipped because this handler had already handled their event.</summary>
    public long SkippedPackets => Interlocked.Read(ref _skipped);

    public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation)
    {
        _progress.TryAdd(partition, new PartitionProgress());
        return ValueTask.CompletedTask;
    }

    public async ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var progress = _progress.GetOrAdd(batch.Partition, _ => new PartitionProgress());
        // Taken before the first await: the consumer prepares the next batch as soon as this call is pending.
        var prepared = Interlocked.Exchange(ref progress.Prepared, null);
        var (ruleSet, blocklist) = await ReadPolicyVersionsAsync(cancellation);
        if (_granularity == ChainGranularity.Batch)
        {
            await HandleBatchAsync(batch, progress, prepared, ruleSet, blocklist, cancellation);
            return;
        }
        var units = WorkUnitSplitter.Split(
            batch,
            new CompiledChain(_chain, ruleSet, blocklist),
            _granularity == ChainGranularity.Packet ? ChainGranularity.Packet : ChainGranularity.Flowlet,
            _mode,
            p => ((p.SequenceNumber - _options.SequenceBase) * _options.PacketsPerEvent) + p.PositionInEvent);

        long lastSequence = progress.LastSequence;
        int lastPosition = progress.LastPosition;
        var counted = new ConcurrentQueue<ChainTally>();
        var byFlow = new Dictionary<string, List<ChainWorkUnit>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var cut in units)
        {
            // A batch redelivered to this same handler: what it already ran is skipped here.
            var fresh = cut.Packets.Where(p => p.SequenceNumber > lastSequence || (p.SequenceNumber == lastSequence && p.PositionInEvent > lastPosition)).ToList();
            Interlocked.Add(ref _skipped, cut.Packets.Count - fresh.Count);
            if (fresh.Count == 0)
            {
                continue;
            }
            var unit = cut with { Granularity = _granularity, Packets = fresh, FirstSequenceNumber = fresh[0].SequenceNumber };
            if (UnparsedTally(unit) is { } unparsed)
            {
                counted.Enqueue(unparsed);
            }
            if (_granularity == ChainGranularity.Flow)
            {
                unit = progress.Held.HoldOrRelease(unit);
                if (unit.Packets.Count == 0)
                {
                    continue;
                }
            }
            if (!byFlow.TryGetValue(unit.FlowKey, out var list))
            {
                byFlow[unit.FlowKey] = list = [];
                order.Add(unit.FlowKey);
            }
            list.Add(unit);
        }
        progress.Advance(batch);

        // A flow's units one after the other (its entity's version must only move forward); flows in parallel.
        await Task.WhenAll(order.Select(key => RunInOrderAsync(byFlow[key], counted, cancellation)));
        if (batch.Count > 0 && !counted.IsEmpty)
        {
            var first = batch.Packets[0];
            await RecordAsync(UnitBatchId(_chain.Name, batch.Partition, first.SequenceNumber, first.PositionInEvent, batch.Packets[^1].SequenceNumber), counted, cancellation);
        }
    }

    /// <summary>
    /// Batch granularity: cuts the next batch's claim and starts its upload while the current
    /// batch runs, so a partition's storage round trip for packets overlaps its previous batch.
    /// Nothing in the task hub changes: a blob nobody references yet.
    /// </summary>
    public ValueTask PrepareAsync(PartitionBatch next, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (_granularity != ChainGranularity.Batch || next.Count == 0)
        {
            return ValueTask.CompletedTask;
        }
        var progress = _progress.GetOrAdd(next.Partition, _ => new PartitionProgress());
        // The current batch is older than every packet of the next one (a partition's order), so
        // the next batch's cut starts after the current batch's last packet, whatever it does.
        var after = next.Packets[0].SequenceNumber - 1;
        var claim = BatchClaim.Cut(next, after, int.MaxValue, _options.FlowShards, CaptureIndexOf);
        if (claim.PacketCount > 0)
        {
            Volatile.Write(ref progress.Prepared, new PreparedClaim(next, next.Packets[0].SequenceNumber, next.Count, claim, _packets.PutAsync(BlobName(next.Partition, claim), claim.Blob, cancellation)));
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation)
    {
        if (_progress.TryGetValue(partition, out var closing))
        {
            await closing.Purging;
            var consumed = closing.Consumed;
            closing.Consumed = null;
            // At the end of the input, give the last batch's shards a moment to show it stored; a partition
            // handed to another owner reads once (that owner's handler does not purge what this one consumed).
            await _purges.PurgeAsync(partition, consumed, reason == PartitionCloseReason.EndOfInput ? StoredPurges.ClosingReads : 1, cancellation);
        }
        if (reason != PartitionCloseReason.EndOfInput || !_progress.TryGetValue(partition, out var progress))
        {
            return;
        }
        var counted = new ConcurrentQueue<ChainTally>();
        var held = progress.Held.ReleaseAll();
        await Task.WhenAll(held.Select(unit => RunUnitAsync(unit, counted, cancellation)));
        if (held.Count > 0)
        {
            await RecordAsync($"{UnitBatchId(_chain.Name, partition, held.Min(u => u.FirstSequenceNumber), 0, held.Max(u => u.LastSequenceNumber))}-held", counted, cancellation);
        }
    }

    /// <summary>
    /// A partition batch's tallies: into the run ledger, before the handler returns (so the
    /// checkpoint never passes a batch whose counts are not stored), or kept here.
    /// </summary>
    private async Task RecordAsync(string batchId, IReadOnlyCollection<ChainTally> tallies, CancellationToken cancellation)
    {
        if (_ledger is not null)
        {
            await _ledger.WriteAsync(batchId, ChainTally.Sum(tallies, _chain.Stages.Count), cancellation);
        }
        else if (_options.KeepUnitResults)
        {
            foreach (var tally in tallies)
            {
                _tallies.Enqueue(tally);
            }
        }
    }

    /// <summary>
    /// What the shards finished for <paramref name="partition"/> before this handler: the batches
    /// of the partition still in the task hub (a batch is purged only once the next one runs, so
    /// the last one the previous owner handled is there) and the shards each completed. A new
    /// process, or a new owner of the partition, then makes its first steps wait for those too, as
    /// the handler that ran them would have: otherwise a shard whose reply left before its state
    /// was stored (its worker died in between) is run over the gap.
    /// </summary>
    private async Task LearnFinishedShardsAsync(int partition, CancellationToken cancellation)
    {
        await foreach (var (_, result) in _hub.CompletedOrchestrationsAsync<ChainBatchResult>(BatchInstanceIdPrefix(_chain.Name, partition), cancellation))
        {
            if (result is not null)
            {
                ExpectShards(partition, result);
            }
        }
    }

    /// <summary>Notes that the shards <paramref name="result"/> completed have stored its batch: what later steps of the partition come after.</summary>
    private void ExpectShards(int partition, ChainBatchResult result)
    {
        foreach (int shard in result.ShardsCompleted)
        {
            _expectedShards.AddOrUpdate((shard, partition), result.LastSequenceNumber, (_, v) => Math.Max(v, result.LastSequenceNumber));
        }
    }

    /// <summary>
    /// Batch granularity: the batch's fresh packets are cut into one slice per flow shard, written
    /// as one blob, and one <c>NfBatch</c> orchestration runs them by reference. Its id and blob name
    /// hold the first and last packet, so a redelivery of the same cut finds what it started, and a
    /// different cut is a new batch whose already-applied packets the shards skip.
    /// </summary>
    private async Task HandleBatchAsync(PartitionBatch batch, PartitionProgress progress, PreparedClaim? prepared, long ruleSet, long blocklist, CancellationToken cancellation)
    {
        // The previous batch of this partition returned, so the consumer has checkpointed past it:
        // purge it, and those before it, once their shards have stored them, while this batch runs
        // (the purge's requests are off the batch's path).
        await progress.Purging;
        var consumed = progress.Consumed;
        progress.Consumed = null;
        progress.Purging = _purges.PurgeAsync(batch.Partition, consumed, closingReads: 0, cancellation);
        if (!progress.ShardsLearned)
        {
            await LearnFinishedShardsAsync(batch.Partition, cancellation);
            progress.ShardsLearned = true;
        }
        // A prepared claim stands when it is this batch's and the partition has not handled any of its packets.
        bool usePrepared = prepared is not null && ReferenceEquals(prepared.Batch, batch) && prepared.FirstSequence == batch.Packets[0].SequenceNumber
            && prepared.Count == batch.Count && progress.LastSequence < prepared.FirstSequence;
        var claim = usePrepared ? prepared!.Claim : BatchClaim.Cut(batch, progress.LastSequence, progress.LastPosition, _options.FlowShards, CaptureIndexOf);
        if (prepared is not null && !usePrepared)
        {
            // A claim prepared for a batch that is not this one (a redelivery): its blob, once written, is nobody's.
            await prepared.Upload.ContinueWith(_ => { }, TaskScheduler.Default);
            string stray = BlobName(prepared.Batch.Partition, prepared.Claim);
            if (claim.PacketCount == 0 || stray != BlobName(batch.Partition, claim))
            {
                await _packets.DeleteAsync(stray, cancellation);
            }
        }
        Interlocked.Add(ref _skipped, batch.Count - claim.PacketCount);
        progress.Advance(batch);
        if (claim.PacketCount == 0)
        {
            return;
        }
        var first = claim.First;
        string instanceId = BatchInstanceId(_chain.Name, batch.Partition, first.SequenceNumber, first.PositionInEvent, claim.Last.SequenceNumber);
        string blob = BlobName(batch.Partition, claim);
        var started = Stopwatch.GetTimestamp();
        await _inFlight.WaitAsync(cancellation);
        try
        {
            await (usePrepared ? prepared!.Upload : _packets.PutAsync(blob, claim.Blob, cancellation));
            var input = new ChainBatch
            {
                ChainName = _chain.Name,
                Partition = batch.Partition,
                Mode = _mode,
                FirstSequenceNumber = first.SequenceNumber,
                LastSequenceNumber = claim.Last.SequenceNumber,
                ClockNanos = claim.ClockNanos,
                RuleSetVersion = ruleSet,
                BlocklistVersion = blocklist,
                Plan = ChainPlan.From(_chain),
                ShardCount = _options.FlowShards,
                PartitionCount = _options.PartitionCount ?? 1,
                SourceShardCount = _options.SourceShards,
                Blob = blob,
                Slices = claim.Slices,
                PreviousBatches = claim.Slices
                    .Where(slice => _expectedShards.ContainsKey((slice.Shard, batch.Partition)))
                    .ToDictionary(slice => slice.Shard, slice => _expectedShards[(slice.Shard, batch.Partition)]),
                CatchUpMs = _options.ShardCatchUpTimeout.TotalMilliseconds,
                ReturnDrops = _options.Egress is not null,
            };
            var outcome = await StartAndWaitAsync<ChainBatchResult>(NfBatchOrchestrator.Name, instanceId, input, cancellation);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (!outcome.Completed)
            {
                RecordFailure($"batch p{batch.Partition} {first.SequenceNumber}..{claim.Last.SequenceNumber} (unit {instanceId}): {outcome.Status}: {outcome.Failure}");
                return;
            }
            var result = outcome.Output ?? throw new InvalidOperationException($"batch {instanceId} completed without a result");
            if (result.Records.Count > 0)
            {
                result = await WithRecordsAsync(result, cancellation);
            }
            if (_options.Egress is { } egress)
            {
                // Before the ledger record, so before the checkpoint: a crash here sends them again.
                await egress.SendAsync(_chain.Name, batch.Partition, Forwarded(claim, result, blob), cancellation);
            }
            Interlocked.Increment(ref _unitsCompleted);
            _batchCounters.Add(result, claim.Blob.Length);
            ExpectShards(batch.Partition, result);
            foreach (var (shard, stored) in result.ShardsStored)
            {
                _purges.NoteStored(shard, batch.Partition, stored);
            }
            if (result.Packets == 0 && result.Duplicates > 0)
            {
                Interlocked.Increment(ref _duplicates);
            }
            ChainTally[] tallies = [WorkResultTally.From(result, _chain.Stages.Count), UnparsedTally(claim.Unparsed)];
            if (_options.UnitCompleted is { } completed)
            {
                await completed(ChainTally.Sum(tallies, _chain.Stages.Count), elapsed);
            }
            await RecordAsync(instanceId, tallies, cancellation);
            if (_options.KeepUnitResults)
            {
                _timings.Enqueue(new UnitTiming(claim.PacketCount, claim.WireBytes, elapsed, result.Stages));
            }
            if (_options.PurgeConsumedBatches)
            {
                progress.Consumed = new ConsumedUnit(instanceId, [blob, .. result.Records.Select(r => r.Blob)], claim.Last.SequenceNumber, [.. claim.Slices.Select(s => s.Shard)]);
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>The claim's packets the batch did not drop, slice by slice (each slice in partition order).</summary>
    private static List<ForwardedPacket> Forwarded(BatchClaim claim, ChainBatchResult result, string blobName)
    {
        var dropped = result.DroppedBySlice ?? throw new InvalidOperationException($"batch {blobName} returned no per-packet verdicts, which the egress needs");
        var forwarded = new List<ForwardedPacket>(claim.PacketCount);
        for (int s = 0; s < claim.Slices.Count; s++)
        {
            var slice = claim.Slices[s];
            var packets = PacketSliceFormat.Read(claim.Blob.Slice((int)slice.Offset, slice.Length), slice, blobName);
            var drops = dropped[s];
            int next = 0;
            for (int i = 0; i < packets.Count; i++)
            {
                if (next < drops.Count && drops[next] == i)
                {
                    next++;
                    continue;
                }
                var p = packets[i];
                bool parsed = PacketParser.Parse(p.LinkType, p.Frame.Span, out var header) == MalformedReason.None;
                forwarded.Add(new ForwardedPacket(parsed ? FlowKey.From(header, out _) : default, parsed, p.SequenceNumber, p.PositionInEvent, p.CaptureIndex, p.LinkType, p.TimestampNanos, p.WireLength, p.Frame));
            }
        }
        return forwarded;
    }

    private string BlobName(int partition, BatchClaim claim) =>
        $"{BatchInstanceId(_chain.Name, partition, claim.First.SequenceNumber, claim.First.PositionInEvent, claim.Last.SequenceNumber)}.nfb";

    /// <summary>A batch's claim cut and uploading ahead of its turn.</summary>
    private sealed record PreparedClaim(PartitionBatch Batch, long FirstSequence, int Count, BatchClaim Claim, Task Upload);

    /// <summary>Starts a unit (or finds the one a redelivery started before) and waits, up to the unit timeout, for its outcome.</summary>
    private async Task<OrchestrationOutcome<T>> StartAndWaitAsync<T>(string orchestration, string instanceId, object input, CancellationToken cancellation)
    {
        await _hub.StartOrchestrationAsync(orchestration, instanceId, input, cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.UnitTimeout);
        return await _hub.WaitForOutcomeAsync<T>(instanceId, _options.CompletionPoll, timeout.Token);
    }

    private long CaptureIndexOf(PartitionPacket p) => ((p.SequenceNumber - _options.SequenceBase) * _options.PacketsPerEvent) + p.PositionInEvent;

    /// <summary>Purges a consumed batch's instance and blob; a failure is counted and reported, never fatal (the hub keeps one more instance).</summary>
    private async Task PurgeAsync(ConsumedUnit consumed, CancellationToken cancellation)
    {
        try
        {
            await _hub.PurgeAsync(consumed.InstanceId, cancellation);
            foreach (string blob in consumed.Blobs)
            {
                await _packets.DeleteAsync(blob, cancellation);
            }
            _batchCounters.CountPurge();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RecordFailure($"batch {consumed.InstanceId}: purge after consumption failed: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>The batch's result with the finished flows and alerts its shards stored as records blobs.</summary>
    private async Task<ChainBatchResult> WithRecordsAsync(ChainBatchResult result, CancellationToken cancellation)
    {
        var flows = new List<ReportFlow>(result.FinishedFlows);
        var alerts = new List<ReportAlert>(result.Alerts);
        foreach (var records in result.Records)
        {
            var bytes = await _packets.ReadAsync(records.Blob, 0, records.Length, cancellation);
            if (!ContentHash.Matches(bytes.Span, records.Sha256))
            {
                throw new FlowShardMapException($"{records.Blob}: shard records do not match their hash");
            }
            var read = ShardRecords.Decode(bytes.Span, records.Blob);
            flows.AddRange(read.FinishedFlows);
            alerts.AddRange(read.Alerts);
        }
        return result with { FinishedFlows = flows, Alerts = alerts };
    }

    private void RecordFailure(string failure)
    {
        Interlocked.Increment(ref _failureCount);
        _failures.Enqueue(failure);
        while (_failures.Count > _options.MaxFailuresKept)
        {
            _failures.TryDequeue(out _);
        }
    }

    /// <summary>Batch granularity: per flow shard and partition, the last batch whose chain the shard completed (what its state must show before the report reads it).</summary>
    public IReadOnlyDictionary<(int Shard, int Partition), long> ExpectedShardBatches => _expectedShards;

    /// <summary>What batch granularity moved and stored: the numbers behind requests and bytes per packet.</summary>
    public BatchCounters Batches => _batchCounters;

    /// <summary>A batch unit's instance id: chain, partition, first packet and last event.</summary>
    public static string BatchInstanceId(string chainName, int partition, long firstSequence, int firstPosition, long lastSequence)
    {
        ArgumentNullException.ThrowIfNull(chainName);
        return $"{BatchInstanceIdPrefix(chainName, partition)}{firstSequence}-{firstPosition}-e{lastSequence}";
    }

    /// <summary>What every batch unit's instance id of <paramref name="partition"/> starts with (and no other partition's).</summary>
    private static string BatchInstanceIdPrefix(string chainName, int partition) => $"nfb-{StorageNames.Safe(chainName)}-p{partition}-s";

    // Two entity reads per batch would load the storage service as much as the units do, so the
    // versions are re-read at most every PolicyRefresh: a rule update reaches units within that.
    private async Task<(long RuleSet, long Blocklist)> ReadPolicyVersionsAsync(CancellationToken cancellation)
    {
        var cached = _policy;
        if (cached is not null && Stopwatch.GetElapsedTime(cached.Value.ReadAt) < _options.PolicyRefresh)
        {
            return (cached.Value.RuleSet, cached.Value.Blocklist);
        }
        var ruleSet = await _hub.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, _chain.Name, cancellation);
        var blocklist = await _hub.GetEntityStateAsync<BlocklistState>(BlocklistEntity.Name, BlocklistEntity.Key, cancellation);
        _policy = (ruleSet?.Version ?? 0, blocklist?.Version ?? 0, Stopwatch.GetTimestamp());
        return (ruleSet?.Version ?? 0, blocklist?.Version ?? 0);
    }

    private async Task RunInOrderAsync(List<ChainWorkUnit> units, ConcurrentQueue<ChainTally> counted, CancellationToken cancellation)
    {
        foreach (var unit in units)
        {
            await RunUnitAsync(unit, counted, cancellation);
        }
    }

    private async Task RunUnitAsync(ChainWorkUnit unit, ConcurrentQueue<ChainTally> counted, CancellationToken cancellation)
    {
        var first = unit.Packets[0];
        string key = unit.FlowKey;
        string instanceId = InstanceId(_chain.Name, unit.Partition, first);
        await _inFlight.WaitAsync(cancellation);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = await StartAndWaitAsync<ChainWorkResult>(NfChainOrchestrator.Name, instanceId, unit, cancellation);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (!outcome.Completed)
            {
                RecordFailure($"flow {key} (unit {instanceId}): {outcome.Status}: {outcome.Failure}");
                return;
            }
            var result = outcome.Output ?? throw new InvalidOperationException($"unit {instanceId} completed without a result");
            Interlocked.Increment(ref _unitsCompleted);
            if (_options.KeepUnitResults)
            {
                _expectedVersions.AddOrUpdate(key, unit.LastSequenceNumber, (_, v) => Math.Max(v, unit.LastSequenceNumber));
            }
            if (result.Duplicate)
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }
            var tally = WorkResultTally.From(result, _chain.Stages.Count);
            counted.Enqueue(tally);
            if (_options.UnitCompleted is { } completed)
            {
                await completed(tally, elapsed);
            }
            if (_options.KeepUnitResults)
            {
                _timings.Enqueue(new UnitTiming(unit.Packets.Count, unit.Packets.Sum(p => (long)p.WireLength), elapsed, result.Stages));
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>
    /// A unit's instance id: its chain, partition and first packet, which no other unit shares.
    /// Azure Storage forbids / \ # ? and control characters in ids, so the chain name is reduced
    /// to letters, digits, '-' and '_'.
    /// </summary>
    public static string InstanceId(string chainName, int partition, WorkPacket first)
    {
        ArgumentNullException.ThrowIfNull(chainName);
        ArgumentNullException.ThrowIfNull(first);
        return $"nf-{StorageNames.Safe(chainName)}-p{partition}-s{first.SequenceNumber}-{first.PositionInEvent}";
    }

    /// <summary>An unparsed unit's frames by malformed reason (the unit result does not carry them); null for a unit of a flow.</summary>
    private static ChainTally? UnparsedTally(ChainWorkUnit unit)
    {
        if (!UnitKeys.IsUnparsed(unit.FlowKey))
        {
            return null;
        }
        var byReason = new long[MalformedReasons.Count];
        foreach (var packet in unit.Packets)
        {
            byReason[(int)PacketParser.Parse(packet.LinkType, packet.Frame, out _)]++;
        }
        return UnparsedTally(byReason);
    }

    /// <summary>Unparsed frames counted by malformed reason, as a tally.</summary>
    private static ChainTally UnparsedTally(long[] byReason)
    {
        var unparsed = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int r = 1; r < byReason.Length; r++)
        {
            if (byReason[r] > 0)
            {
                unparsed[MalformedReasons.Name((MalformedReason)r)] = byReason[r];
            }
        }
        return new ChainTally { Unparsed = unparsed };
    }

    /// <summary>A partition batch's id at packet, flowlet and flow granularity (its ledger record's name).</summary>
    private static string UnitBatchId(string chainName, int partition, long firstSequence, int firstPosition, long lastSequence) =>
        $"nfp-{StorageNames.Safe(chainName)}-p{partition}-s{firstSequence}-{firstPosition}-e{lastSequence}";

    /// <summary>Per partition: where handling got to, unparsed frames, and flows held for flow granularity.</summary>
    private sealed class PartitionProgress
    {
        public long LastSequence { get; set; } = long.MinValue;

        /// <summary>Batch granularity: the next batch's claim, cut and uploading while the current one runs.</summary>
        public PreparedClaim? Prepared;

        /// <summary>Batch granularity: the last batch handled, to purge once the partition moves past it.</summary>
        public ConsumedUnit? Consumed { get; set; }

        /// <summary>The purge of the batches before <see cref="Consumed"/> their shards have stored, running in the background.</summary>
        public Task Purging { get; set; } = Task.CompletedTask;

        public int LastPosition { get; set; }

        /// <summary>Batch granularity: true once the shards' finished batches from before this handler were read.</summary>
        public bool ShardsLearned { get; set; }

        /// <summary>Moves past <paramref name="batch"/>'s last packet (a redelivered, older batch moves nothing back).</summary>
        public void Advance(PartitionBatch batch)
        {
            if (batch.Count == 0)
            {
                return;
            }
            var last = batch.Packets[^1];
            if (last.SequenceNumber >= LastSequence)
            {
                LastPosition = last.PositionInEvent;
            }
            LastSequence = Math.Max(LastSequence, last.SequenceNumber);
        }

        /// <summary>Flow granularity: units held per flow until the flow's connection is over.</summary>
        public FlowHold Held { get; } = new();
    }
}

/// <summary>One unit's size and how long it took from start to a stored result.</summary>
public sealed record UnitTiming(int Packets, long Bytes, TimeSpan Elapsed, IReadOnlyList<StageOutcome> Stages);
