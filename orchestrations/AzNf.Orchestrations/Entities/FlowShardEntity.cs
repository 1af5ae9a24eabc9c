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
/// The per-partition watermark of batches done and versions per flow make a redelivered or re-cut
/// batch a no-op for what was applied (see <see cref="ShardStepRunner"/>). Idle expiry is by
/// capture time, at the partition's clock, as in the embedded flow table; an ended flow stays as a
/// tombstone (its version) only until the watermark covers it. Flows the fast path committed carry
/// no partition: they expire by the wall clock, never sooner than
/// <see cref="FlowEntity.MinimumIdleTimeout"/>, and stay tombstones for
/// <see cref="FlowShardOptions.TombstoneRetention"/>.
/// </remarks>
public sealed class FlowShardEntity : TaskEntity<FlowShardState?>
{
    public const string Name = "flows";

    private readonly FlowShardProcessor _processor;
    private FlowShardBatch? _batch;

    public FlowShardEntity(IChainSource chains, IPacketBatchStore store, FlowShardOptions options, FlowShardMapCache maps)
        : this(new FlowShardProcessor(chains, store, TimeProvider.System, FlowEntity.MinimumIdleTimeout, options, maps))
    {
    }

    internal FlowShardEntity(FlowShardProcessor processor)
    {
        _processor = processor;
    }

    /// <summary>Runs a step over this shard's slice of a batch; a late step changes nothing.</summary>
    public async Task<ShardStepResult> Process(ShardStep step)
    {
        // An entity object lives for one batch of operations: what it first sees is the stored state.
        _batch ??= new FlowShardBatch(State);
        var (result, state) = await _processor.RunAsync(step, State, Context.Id.Key, _batch);
        State = state;
        return result;
    }

    /// <summary>Merges a fast-path owner's flows (each above the version held); answers how many it took.</summary>
    public async Task<ShardCommitResult> Commit(ShardCommit commit)
    {
        _batch ??= new FlowShardBatch(State);
        var (result, state) = await _processor.CommitAsync(commit, State, Context.Id.Key, _batch);
        State = state;
        return result;
    }

    /// <summary>One flow as the shard holds it (null: the shard never saw it).</summary>
    public async Task<FlowEntityState?> Get(string flowKey)
    {
        ArgumentNullException.ThrowIfNull(flowKey);
        var map = await _processor.LoadAsync(State, Context.Id.Key);
        return map.Flows.TryGetValue(flowKey, out var flow) ? View(flow) : null;
    }

    /// <summary>The flows of a shard as the report and the API show them.</summary>
    public static async Task<IEnumerable<(string Key, FlowEntityState State)>> FlowsAsync(FlowShardState? state, string shard, IPacketBatchStore store, CancellationToken cancellation = default)
    {
        var map = await FlowShardProcessor.LoadAsync(state, shard, store, cancellation);
        return map.Flows.Select(f => (f.Key, View(f.Value)));
    }

    protected override FlowShardState? InitializeState(TaskEntityOperation entityOperation) => null;

    private static FlowEntityState View(ShardFlow flow) => new()
    {
        Version = flow.Version,
        Snapshot = flow.Snapshot,
        Alias = flow.Alias,
        LastAppliedUtc = flow.LastAppliedUtc,
        IdleTimeoutSeconds = flow.IdleTimeoutSeconds,
    };
}

/// <summary>
/// The <c>flows</c> entity's state: the shard's flow map (<see cref="FlowShardMap"/>, compressed),
/// inline when small, else as a versioned blob the entity owns with the deltas of the steps since
/// it was written, and two numbers for operators.
/// </summary>
public sealed class FlowShardState
{
    /// <summary>The map, when it is at most <see cref="FlowShardOptions.InlineMapBytes"/>.</summary>
    public byte[]? Map { get; set; }

    /// <summary>The map's blob in the packet store, when it is larger (immutable: a new name per step).</summary>
    public string? MapBlob { get; set; }

    public int MapLength { get; set; }

    /// <summary>Names this state's map (new with every state that stores one): a worker that kept the map decoded since it stored this state uses it (<see cref="FlowShardMapCache"/>).</summary>
    public string? MapId { get; set; }

    /// <summary>SHA-256 of the map blob, checked when it is read.</summary>
    public string? MapHash { get; set; }

    /// <summary>Since <see cref="MapBlob"/> was written, each step's changed flows, in order: applied over it, they give the map.</summary>
    public List<MapDelta> Deltas { get; set; } = [];

    /// <summary>Map and delta blobs this state superseded: deleted by the next batch of operations, once this state is surely stored.</summary>
    public List<string> SupersededMapBlobs { get; set; } = [];

    public int Flows { get; set; }

    public long Steps { get; set; }

    /// <summary>Per partition and stage, the reply to the last step (the one a redelivered request must get again).</summary>
    public Dictionary<string, StoredReply> Replies { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per partition, the last batch (its last sequence number) whose chain this shard is done with: applied, or let pass late.</summary>
    public Dictionary<int, long> Batches { get; set; } = [];

    /// <summary>Per partition, the staged batch in progress here and how many of its stages the shard is done with.</summary>
    public Dictionary<int, StagedMark> Staged { get; set; } = [];

    /// <summary>This state with other marks of how far the shard got (the map and replies shared).</summary>
    internal FlowShardState WithMarks(Dictionary<int, long> batches, Dictionary<int, StagedMark> staged)
    {
        var marked = (FlowShardState)MemberwiseClone();
        marked.Batches = batches;
        marked.Staged = staged;
        return marked;
    }
}

/// <summary>One step's changed flows (<see cref="FlowShardMap.EncodeChanges"/>): inline, or a blob of the shard's with its length and SHA-256.</summary>
public sealed record MapDelta(byte[]? Bytes, string? Blob, int Length, string? Hash);

/// <summary>A staged batch (its last sequence number) and the stages a shard is done with.</summary>
public sealed record StagedMark(long Batch, int Stages);

/// <summary>
/// What the <c>flows</c> entity's <c>Process</c> does, apart from the entity: reads the slice from
/// the packet store, runs the step against the shard's map and gives back the new state (the old
/// one when the step was late).
/// </summary>
/// <param name="chains">Where the compiled chain comes from.</param>
/// <param name="store">Where slices are read and large maps kept.</param>
/// <param name="clock">Wall clock of idle expiry.</param>
/// <param name="minimumIdle">Shortest wall-clock idle time before a flow the fast path committed (no partition, so no capture clock) becomes a tombstone.</param>
/// <param name="options">Tombstone retention, map bytes kept inline, when deltas are folded into a new map.</param>
/// <param name="maps">Decoded maps kept between steps (null: every step loads its map from the state).</param>
public sealed class FlowShardProcessor(IChainSource chains, IPacketBatchStore store, TimeProvider clock, TimeSpan minimumIdle, FlowShardOptions options, FlowShardMapCache? maps = null)
{
    /// <summary>
    /// Maps up to this size stay in the entity's state. The backend moves a table property over
    /// 60 KiB of UTF-16 (a JSON string of about 22 KB of base64'd bytes) to a large-message blob,
    /// twice per write (history and instance rows) at about three requests each, and reads it back
    /// on the next load; a map of our own in one blob costs one write, one read and one delete.
    /// </summary>
    public const int InlineMapLimit = 16 * 1024;

    private static readonly string ThisWorker = $"{Environment.MachineName}-{Environment.ProcessId}";

    private readonly ShardStepRunner _runner = new();

    /// <param name="step">The step.</param>
    /// <param name="state">The entity's state now (stored, or left by an earlier operation of this batch).</param>
    /// <param name="shard">The entity key, for messages and blob names.</param>
    /// <param name="batch">What the entity's current batch of operations started from.</param>
    public async Task<(ShardStepResult Result, FlowShardState? State)> RunAsync(ShardStep step, FlowShardState? state, string shard, FlowShardBatch batch)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(batch);
        // A request delivered again (an orchestration episode replayed after a crash sends its calls
        // again) gets the reply it had: the flows already hold its packets, so running it again
        // would report them as duplicates and the batch's counts would lose them.
        string replyKey = ReplyKey(step);
        string stepId = $"{step.Blob}#{step.FirstStage}";
        long storedBatch = batch.StoredBatch(step.Partition);
        if (state?.Replies.TryGetValue(replyKey, out var earlier) == true && earlier.Step == stepId)
        {
            return (earlier.Result with { StoredBatch = storedBatch }, state);
        }
        await RetireSupersededAsync(state, batch);
        if (Behind(step, state) is { } behind)
        {
            return (new ShardStepResult { Shard = step.Slice.Shard, Behind = behind, StoredBatch = storedBatch }, state);
        }
        var compiled = await chains.GetChainAsync(step.ChainName, step.RuleSetVersion, step.BlocklistVersion, CancellationToken.None);
        var bytes = await store.ReadAsync(step.Blob, step.Slice.Offset, step.Slice.Length);
        var packets = PacketSliceFormat.Read(bytes, step.Slice, step.Blob);
        var map = await TakeMapAsync(state, shard);
        var result = _runner.Run(step, packets, map, compiled, state?.Batches ?? [], clock.GetUtcNow().UtcDateTime, options.TombstoneRetention) with { StoredBatch = storedBatch };
        var batches = new Dictionary<int, long>(state?.Batches ?? []);
        var staged = new Dictionary<int, StagedMark>(state?.Staged ?? []);
        Mark(batches, staged, step, step.FirstStage + step.StageCount == compiled.Chain.Stages.Count);
        if (result.Late)
        {
            // The flows stay as they were, but the shard is done with the step: a later step waiting for it goes on.
            maps?.Put(shard, state?.MapId, map);
            return (result, (state ?? new FlowShardState()).WithMarks(batches, staged));
        }
        var (stored, written) = await StoreMapAsync(map, state, shard, batch, batches);
        stored.Staged = staged;
        result = result with { StateBytes = written, Worker = ThisWorker };
        if (result.FinishedFlows.Count + result.Alerts.Count > ShardRecords.InlineLimit)
        {
            // Named by batch, shard and stage: a step run again writes the same blob.
            byte[] records = new ShardRecords(result.FinishedFlows, result.Alerts).Encode();
            string name = $"{step.Blob}.s{step.Slice.Shard}.t{step.FirstStage}.nfr";
            await store.PutAsync(name, records);
            result = result with { FinishedFlows = [], Alerts = [], Records = new RecordsRef(name, records.Length, ContentHash.Of(records)) };
        }
        stored.Replies = new Dictionary<string, StoredReply>(state?.Replies ?? [], StringComparer.Ordinal);
        // A stale request of an older batch (redelivered after its batch completed) must not push
        // out the reply of the batch in flight, which may still be asked again.
        if (!stored.Replies.TryGetValue(replyKey, out var kept) || kept.Batch <= step.BatchSequenceNumber)
        {
            stored.Replies[replyKey] = new StoredReply(stepId, step.BatchSequenceNumber, result);
        }
        return (result, stored);
    }

    /// <summary>
    /// The fast path's group commit: merges flows a partition owner ran in memory into the map.
    /// A flow is taken only above the version the shard holds, so a commit sent again, or one
    /// older than what a later owner committed, changes nothing.
    /// </summary>
    public async Task<(ShardCommitResult Result, FlowShardState? State)> CommitAsync(ShardCommit commit, FlowShardState? state, string shard, FlowShardBatch batch)
    {
        ArgumentNullException.ThrowIfNull(commit);
        ArgumentNullException.ThrowIfNull(batch);
        await RetireSupersededAsync(state, batch);
        long storedThrough = batch.StoredBatch(commit.Partition);
        var bytes = await store.ReadAsync(commit.Blob, commit.Offset, commit.Length);
        if (!ContentHash.Matches(bytes.Span, commit.Sha256))
        {
            throw new FlowShardMapException($"{commit.Blob} @ {commit.Offset}: the commit for flow shard {shard} does not match its hash");
        }
        var incoming = FlowShardMap.Decode(bytes.ToArray(), $"{commit.Blob} @ {commit.Offset}");
        var map = await TakeMapAsync(state, shard);
        int applied = 0;
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var (key, flow) in incoming.Flows)
        {
            if (!map.Flows.TryGetValue(key, out var held) || flow.Version > held.Version)
            {
                flow.LastAppliedUtc = now;
                flow.IdleTimeoutSeconds = Math.Max(flow.IdleTimeoutSeconds, minimumIdle.TotalSeconds);
                map.Set(key, flow);
                applied++;
            }
        }
        if (applied == 0)
        {
            maps?.Put(shard, state?.MapId, map);
            return (new ShardCommitResult(0, incoming.Flows.Count) { StoredThrough = storedThrough }, state);
        }
        var batches = new Dictionary<int, long>(state?.Batches ?? []);
        batches[commit.Partition] = Math.Max(batches.GetValueOrDefault(commit.Partition, -1), commit.Through);
        var (stored, _) = await StoreMapAsync(map, state, shard, batch, batches);
        stored.Replies = state?.Replies ?? new Dictionary<string, StoredReply>(StringComparer.Ordinal);
        stored.Staged = state?.Staged ?? [];
        return (new ShardCommitResult(applied, incoming.Flows.Count - applied) { StoredThrough = storedThrough }, stored);
    }

    /// <summary>
    /// Deletes, once per batch of operations, the blobs the stored state superseded: they belong
    /// to states older than it, which no one can load again.
    /// </summary>
    private async Task RetireSupersededAsync(FlowShardState? state, FlowShardBatch batch)
    {
        if (batch.Cleaned)
        {
            return;
        }
        foreach (string old in state?.SupersededMapBlobs ?? [])
        {
            await store.DeleteAsync(old);
        }
        state?.SupersededMapBlobs.Clear();
        batch.Cleaned = true;
    }

    /// <summary>
    /// The state that stores <paramref name="map"/>, and the map bytes it wrote. A map over the
    /// inline limit stays in its blob while the steps after it add only their changed flows, as
    /// deltas (inline while they fit, else a blob each), so a step writes O(flows it changed), not
    /// O(flows in the shard); the map is written whole again (compacted) once its deltas reach
    /// <see cref="FlowShardOptions.CompactAtDeltaShare"/> of its size or
    /// <see cref="FlowShardOptions.MaxMapDeltas"/> in number, which bounds both what a step reads
    /// and the bytes written per change. Blobs the new state no longer names are retired safely.
    /// </summary>
    private async Task<(FlowShardState Stored, int Written)> StoreMapAsync(FlowShardMap map, FlowShardState? state, string shard, FlowShardBatch batch, Dictionary<int, long> batches)
    {
        long steps = (state?.Steps ?? 0) + 1;
        var stored = new FlowShardState { Flows = map.Flows.Count, Steps = steps, Batches = batches, SupersededMapBlobs = [.. state?.SupersededMapBlobs ?? []], MapId = Guid.NewGuid().ToString("N") };
        int written;
        if (state?.MapBlob is not null && DeltaOf(map, state) is { } delta)
        {
            (stored.MapBlob, stored.MapLength, stored.MapHash, stored.Deltas) = (state.MapBlob, state.MapLength, state.MapHash, [.. state.Deltas]);
            int inline = state.Deltas.Sum(d => d.Bytes is null ? 0 : d.Length);
            if (inline + delta.Length <= options.InlineMapBytes)
            {
                stored.Deltas.Add(new MapDelta(delta, null, delta.Length, null));
            }
            else
            {
                // Named by step, as the map's blob: a step run again after a crash writes the same name.
                string name = $"maps/{StorageNames.Safe(shard)}/{steps}.fsd";
                await store.PutAsync(name, delta);
                stored.Deltas.Add(new MapDelta(null, name, delta.Length, ContentHash.Of(delta)));
            }
            written = delta.Length;
        }
        else
        {
            byte[] encoded = map.Encode();
            stored.MapLength = encoded.Length;
            if (encoded.Length <= options.InlineMapBytes)
            {
                stored.Map = encoded;
            }
            else
            {
                stored.MapBlob = $"maps/{StorageNames.Safe(shard)}/{steps}.fsm";
                stored.MapHash = ContentHash.Of(encoded);
                await store.PutAsync(stored.MapBlob, encoded);
            }
            written = encoded.Length;
        }
        var kept = BlobsOf(stored).ToHashSet(StringComparer.Ordinal);
        foreach (string replaced in BlobsOf(state).Where(b => !kept.Contains(b)))
        {
            if (batch.StoredBlobs.Contains(replaced))
            {
                // The stored state's: needed again if this batch never commits, so it goes once the new state is stored.
                stored.SupersededMapBlobs.Add(replaced);
            }
            else
            {
                // Written by an earlier operation of this batch and never stored: no state refers to it.
                await store.DeleteAsync(replaced);
            }
        }
        map.AcceptChanges();
        maps?.Put(shard, stored.MapId, map);
        return (stored, written);
    }

    /// <summary>The shard's map as <paramref name="state"/> stores it: kept decoded since this worker stored that state, else loaded.</summary>
    private async Task<FlowShardMap> TakeMapAsync(FlowShardState? state, string shard) =>
        maps?.Take(shard, state?.MapId) ?? await LoadAsync(state, shard);

    /// <summary>The changed flows of <paramref name="map"/> as a delta over <paramref name="state"/>'s map blob; null when it is time to write the map whole.</summary>
    private byte[]? DeltaOf(FlowShardMap map, FlowShardState state)
    {
        if (state.Deltas.Count >= options.MaxMapDeltas || map.Changes > map.Flows.Count * options.CompactAtDeltaShare)
        {
            return null;
        }
        byte[] delta = map.EncodeChanges();
        long deltas = state.Deltas.Sum(d => (long)d.Length) + delta.Length;
        return deltas <= state.MapLength * options.CompactAtDeltaShare ? delta : null;
    }

    /// <summary>The blobs a state's map is read from.</summary>
    internal static IEnumerable<string> BlobsOf(FlowShardState? state)
    {
        if (state?.MapBlob is { } map)
        {
            yield return map;
        }
        foreach (var delta in state?.Deltas ?? [])
        {
            if (delta.Blob is { } blob)
            {
                yield return blob;
            }
        }
    }

    /// <summary>
    /// What the shard has not stored yet that <paramref name="step"/> comes after (null: nothing).
    /// A first stage comes after the batch its sender last saw the shard finish; a later stage of a
    /// staged batch comes after the stages before it. Entity replies leave before the entity's state
    /// is stored (the backend sends messages, then writes history), so a worker dying in between
    /// leaves a reply whose effects the shard lacks until the request is delivered again; running a
    /// later step first would apply its packets over the gap, and the redelivered ones as duplicates.
    /// </summary>
    private static string? Behind(ShardStep step, FlowShardState? state)
    {
        long finished = state?.Batches.GetValueOrDefault(step.Partition, -1) ?? -1;
        if (finished >= step.BatchSequenceNumber)
        {
            return null;
        }
        if (step.FirstStage == 0)
        {
            return step.AfterBatch > finished ? $"batch {step.AfterBatch} of partition {step.Partition} (the shard has finished batch {finished})" : null;
        }
        var staged = state?.Staged.GetValueOrDefault(step.Partition);
        return staged is not null && staged.Batch == step.BatchSequenceNumber && staged.Stages >= step.FirstStage
            ? null
            : $"stages 0..{step.FirstStage - 1} of batch {step.BatchSequenceNumber} of partition {step.Partition}";
    }

    /// <summary>Records that the shard is done with <paramref name="step"/> (applied, or let pass late).</summary>
    private static void Mark(Dictionary<int, long> batches, Dictionary<int, StagedMark> staged, ShardStep step, bool completesChain)
    {
        if (completesChain)
        {
            batches[step.Partition] = Math.Max(batches.GetValueOrDefault(step.Partition, -1), step.BatchSequenceNumber);
            staged.Remove(step.Partition);
        }
        else
        {
            staged[step.Partition] = new StagedMark(step.BatchSequenceNumber, step.FirstStage + step.StageCount);
        }
    }

    /// <summary>One reply kept per partition and stage: only the batch in flight can be asked again.</summary>
    private static string ReplyKey(ShardStep step) => $"p{step.Partition}t{step.FirstStage}";

    /// <summary>The shard's map from its state (inline, or its blob, hash-checked).</summary>
    public Task<FlowShardMap> LoadAsync(FlowShardState? state, string shard) => LoadAsync(state, shard, store, CancellationToken.None);

    /// <summary>The shard's map from its state (inline, or its blob and deltas, hash-checked), reading blobs from <paramref name="store"/>.</summary>
    /// <exception cref="FlowShardMapException">The map cannot be read; the message names the shard.</exception>
    public static async Task<FlowShardMap> LoadAsync(FlowShardState? state, string shard, IPacketBatchStore store, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(store);
        string where = $"flow shard {shard}";
        if (state?.MapBlob is not { } blob)
        {
            return FlowShardMap.Decode(state?.Map, where);
        }
        var map = FlowShardMap.Decode(await ReadAsync(store, blob, state.MapLength, state.MapHash, where, cancellation), where);
        for (int i = 0; i < state.Deltas.Count; i++)
        {
            var delta = state.Deltas[i];
            string at = $"{where} (delta {i + 1} of {state.Deltas.Count})";
            byte[] bytes = delta.Bytes ?? await ReadAsync(store, delta.Blob ?? throw new FlowShardMapException($"{at}: neither bytes nor a blob"), delta.Length, delta.Hash, at, cancellation);
            map.Apply(FlowShardMap.Decode(bytes, at));
        }
        return map;
    }

    private static async Task<byte[]> ReadAsync(IPacketBatchStore store, string blob, int length, string? hash, string where, CancellationToken cancellation)
    {
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = await store.ReadAsync(blob, 0, length, cancellation);
        }
        catch (PacketSliceException e)
        {
            throw new FlowShardMapException($"{where}: map blob {blob}: {e.Message}");
        }
        if (!ContentHash.Matches(bytes.Span, hash))
        {
            throw new FlowShardMapException($"{where}: map blob {blob} does not match its hash");
        }
        return bytes.ToArray();
    }
}

/// <summary>One batch of a <c>flows</c> entity's operations: what of the stored state it started from matters (its map blobs, the batches it holds).</summary>
public sealed class FlowShardBatch(FlowShardState? stored)
{
    private readonly Dictionary<int, long> _storedBatches = new(stored?.Batches ?? []);

    public IReadOnlySet<string> StoredBlobs { get; } = FlowShardProcessor.BlobsOf(stored).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The last batch of <paramref name="partition"/> the stored state is done with (−1: none). A
    /// batch of operations starts from the state the backend committed, so this is durable, unlike
    /// what the operations of this batch add: their replies leave before the commit.
    /// </summary>
    public long StoredBatch(int partition) => _storedBatches.GetValueOrDefault(partition, -1);

    /// <summary>True once the stored state's superseded blobs were deleted in this batch.</summary>
    public bool Cleaned { get; set; }
}

/// <summary>A step's reply as the shard keeps it: which step (batch blob and first stage), its batch's last sequence number, and what it answered.</summary>
public sealed record StoredReply(string Step, long Batch, ShardStepResult Result);

/// <summary>What flow shards keep, and for how long: one instance per host, from its services.</summary>
public sealed record FlowShardOptions
{
    /// <summary>
    /// How long after its last change a tombstone that no partition watermark covers (a flow the
    /// fast path committed, or one mid-way through a staged batch) stays in its shard's map. It
    /// must outlive how far back the input can be redelivered (the event hub's retention); after
    /// it, the next step of the shard drops the tombstone, so maps do not grow with every flow ever seen.
    /// </summary>
    public TimeSpan TombstoneRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Most map bytes (the whole map, or the deltas over its blob) a shard keeps in its entity state (<see cref="FlowShardProcessor.InlineMapLimit"/>).</summary>
    public int InlineMapBytes { get; init; } = FlowShardProcessor.InlineMapLimit;

    /// <summary>
    /// Deltas a shard keeps over its map blob before writing the map whole again: each is read by
    /// every step of the shard (one request each when it is a blob).
    /// </summary>
    public int MaxMapDeltas { get; init; } = 8;

    /// <summary>
    /// The map is written whole again once its deltas together would pass this share of its size
    /// (or a step changed more than this share of its flows). At 0.5 a changed flow is written at
    /// most about three times (its delta, then its share of the next compaction), and a step
    /// reads at most 1.5 maps' worth.
    /// </summary>
    public double CompactAtDeltaShare { get; init; } = 0.5;

    /// <summary>
    /// Flows a worker keeps decoded, in the maps of the shards it stepped last, so that its next
    /// step of such a shard neither reads nor decodes the map (<see cref="FlowShardMapCache"/>);
    /// 0: none. About half a kilobyte each.
    /// </summary>
    public int CachedFlows { get; init; } = 200_000;

    /// <summary>Refuses a value out of its range, naming it (the Functions settings and CLI options have the same ranges).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of its range.</exception>
    public FlowShardOptions Validate()
    {
        if (TombstoneRetention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TombstoneRetention), TombstoneRetention, "must be positive");
        }
        if (InlineMapBytes is < 0 or > 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(InlineMapBytes), InlineMapBytes, "must be 0..1048576 (the backend moves a state over 60 KiB of UTF-16 to blobs anyway)");
        }
        if (MaxMapDeltas is < 0 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMapDeltas), MaxMapDeltas, "must be 0..64");
        }
        if (!(CompactAtDeltaShare is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(CompactAtDeltaShare), CompactAtDeltaShare, "must be in (0, 1]");
        }
        if (CachedFlows is < 0 or > 10_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(CachedFlows), CachedFlows, "must be 0..10000000");
        }
        return this;
    }
}

/// <summary>A fast-path commit for one shard: a byte range of a commit blob holding a <see cref="FlowShardMap"/> of the flows to merge.</summary>
/// <remarks><see cref="Through"/> is the last sequence number of <see cref="Partition"/> the commit reflects; the shard keeps the highest per partition, where a new owner finds how far the last one stored.</remarks>
public sealed record ShardCommit(string Blob, long Offset, int Length, string Sha256, int Partition, long Through);

/// <summary>What a shard did with a commit: flows taken, and flows it already held at the same or a later version.</summary>
public sealed record ShardCommitResult(int Applied, int AlreadyHeld)
{
    /// <summary>How far the shard's <em>stored</em> state held the commit's partition when the commit's batch of entity operations began (−1: not at all); the commit itself is not in it.</summary>
    public long StoredThrough { get; init; } = -1;
}
