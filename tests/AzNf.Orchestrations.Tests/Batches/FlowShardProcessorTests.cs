using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Tests.Fakes;
using static AzNf.Orchestrations.Tests.Batches.BatchTestData;

namespace AzNf.Orchestrations.Tests.Batches;

public class FlowShardProcessorTests
{
    private static List<byte[]> Traffic(int flows) =>
        Enumerable.Range(0, flows)
            .SelectMany(i => new TcpConversation($"10.0.{i / 200}.{1 + (i % 200)}", (ushort)(20_000 + i), "10.1.0.1", 80).Handshake().Client($"GET /page/{i}/{Guid.NewGuid()} HTTP/1.0\r\n\r\n").Frames)
            .ToList();

    /// <summary>One slice per step over a single shard, the blob put in the store as the handler would.</summary>
    private static async Task<(FlowShardState? State, ShardStepResult Result)> Step(
        FlowShardProcessor processor, InMemoryPacketStore store, FlowShardState? state, FlowShardBatch batch, List<byte[]> frames, int from, int to,
        int first = 0, int? count = null, DateTime? deadline = null, long afterBatch = -1)
    {
        var chain = TestChains.Full();
        var (step, _) = Steps(chain, Batch(frames, from, to), shards: 1, first: first, count: count, deadline: deadline, blob: $"b{from}-{to}").Single();
        step = step with { AfterBatch = afterBatch };
        var claim = BatchClaim.Cut(Batch(frames, from, to), long.MinValue, 0, 1, p => p.SequenceNumber);
        await store.PutAsync(step.Blob, claim.Blob);
        var (result, stored) = await processor.RunAsync(step, state, "full:0", batch);
        return (stored, result);
    }

    [Fact]
    public async Task RunAsync_MapOverTheInlineLimit_KeptInItsOwnBlobAndOldBlobsDeletedOnlyOnceSuperseded()
    {
        var frames = Traffic(40);
        var store = new InMemoryPacketStore();
        // No deltas: every step writes the map whole (the deltas have tests of their own below).
        var processor = Processor(store, new FlowShardOptions { MaxMapDeltas = 0, InlineMapBytes = 512 });
        int quarter = frames.Count / 4;

        var first = new FlowShardBatch(null);
        var (s1, _) = await Step(processor, store, null, first, frames, 0, quarter);
        var (s2, _) = await Step(processor, store, s1, first, frames, quarter, 2 * quarter);
        var maps = store.Blobs.Keys.Where(k => k.StartsWith("maps/", StringComparison.Ordinal)).ToList();

        Assert.NotNull(s1!.MapBlob);
        Assert.Null(s2!.Map);
        Assert.Equal([s2.MapBlob!], maps);
        Assert.Empty(s2.SupersededMapBlobs);

        var (s3, _) = await Step(processor, store, s2, new FlowShardBatch(s2), frames, 2 * quarter, 3 * quarter);

        Assert.Equal([s2.MapBlob!], s3!.SupersededMapBlobs);
        Assert.True(store.Blobs.ContainsKey(s2.MapBlob!), "the stored state's map must survive until the new state is stored");

        var (s4, result) = await Step(processor, store, s3, new FlowShardBatch(s3), frames, 3 * quarter, frames.Count);
        var map = await processor.LoadAsync(s4, "full:0");

        Assert.False(store.Blobs.ContainsKey(s2.MapBlob!));
        Assert.Equal(new[] { s3.MapBlob, s4!.MapBlob }.Order(), store.Blobs.Keys.Where(k => k.StartsWith("maps/", StringComparison.Ordinal)).Order());
        Assert.Equal(40, map.Flows.Count);
        Assert.Equal(frames.Count - (3 * quarter), result.Packets);
        Assert.Equal(result.StateBytes, s4.MapLength);
    }

    [Fact]
    public async Task LoadAsync_MapBlobChanged_RefusedNamingTheShard()
    {
        var frames = Traffic(20);
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions { InlineMapBytes = 256 });
        var (state, _) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, frames.Count);
        store.Blobs[state!.MapBlob!][10] ^= 0xFF;

        var error = await Assert.ThrowsAsync<FlowShardMapException>(() => processor.LoadAsync(state, "full:0"));

        Assert.Contains("flow shard full:0", error.Message, StringComparison.Ordinal);
        Assert.Contains("hash", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MoreRecordsThanTravelInline_WrittenToARecordsBlobAndCountedInTheReply()
    {
        var frames = Enumerable.Range(0, ShardRecords.InlineLimit + 6)
            .SelectMany(i => new TcpConversation($"10.0.0.{1 + i}", (ushort)(30_000 + i), "10.1.0.1", 80).Handshake().Client("GET /etc/passwd HTTP/1.0\r\n\r\n").Frames)
            .ToList();
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions());

        var (_, result) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, frames.Count);

        Assert.Empty(result.Alerts);
        Assert.Equal(ShardRecords.InlineLimit + 6, result.AlertCount);
        var reference = Assert.IsType<RecordsRef>(result.Records);
        var records = ShardRecords.Decode(store.Blobs[reference.Blob], reference.Blob);
        Assert.Equal(ShardRecords.InlineLimit + 6, records.Alerts.Count);
        Assert.All(records.Alerts, a => Assert.Equal(1000001, a.Sid));
    }

    [Fact]
    public async Task RunAsync_SameRequestAgainAfterTheStateWasStored_TheFirstReplyAgainNotDuplicates()
    {
        var frames = Traffic(10);
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions());
        var (state, first) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, frames.Count);
        // As the backend stores and loads it: through the SDK's JSON.
        var stored = System.Text.Json.JsonSerializer.Deserialize<FlowShardState>(System.Text.Json.JsonSerializer.Serialize(state));

        var (again, second) = await Step(processor, store, stored, new FlowShardBatch(stored), frames, 0, frames.Count);

        Assert.Equal(frames.Count, first.Packets);
        Assert.Equal((first.Packets, first.Duplicates, first.Bytes, first.FlowsTouched), (second.Packets, second.Duplicates, second.Bytes, second.FlowsTouched));
        Assert.Equal(first.Sources.Select(s => s.Address), second.Sources.Select(s => s.Address));
        Assert.Same(stored, again);
    }

    [Fact]
    public async Task RunAsync_StaleRequestOfAnOlderBatchArrivesLate_TheBatchInFlightStillGetsItsOwnReply()
    {
        var frames = Traffic(10);
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions());
        int half = frames.Count / 2;
        var (afterOld, _) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, half);
        var (afterNew, reply) = await Step(processor, store, afterOld, new FlowShardBatch(afterOld), frames, half, frames.Count);

        // The older batch's request delivered again after the newer batch ran: every packet a duplicate.
        var (afterStale, stale) = await Step(processor, store, afterNew, new FlowShardBatch(afterNew), frames, 0, half);
        var (_, again) = await Step(processor, store, afterStale, new FlowShardBatch(afterStale), frames, half, frames.Count);

        Assert.Equal(0, stale.Packets);
        Assert.Equal(frames.Count - half, reply.Packets);
        Assert.Equal((reply.Packets, reply.Duplicates), (again.Packets, again.Duplicates));
    }

    [Fact]
    public async Task RunAsync_ShardLostTheBatchBefore_BehindAndUnchanged_ThenRunsOnceTheRedeliveredBatchIsStored()
    {
        var frames = Traffic(10);
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions());
        int half = frames.Count / 2;
        // The first batch's reply reached its sender (who now expects batch `half`), but its state was never stored.
        var (lost, firstReply) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, half);

        var (unchanged, early) = await Step(processor, store, null, new FlowShardBatch(null), frames, half, frames.Count, afterBatch: half);
        var (redelivered, again) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, half);
        var (final, second) = await Step(processor, store, redelivered, new FlowShardBatch(redelivered), frames, half, frames.Count, afterBatch: half);

        Assert.Contains($"batch {half} of partition 0", early.Behind, StringComparison.Ordinal);
        Assert.Equal(0, early.Packets);
        Assert.Null(unchanged);
        Assert.Equal(half, lost!.Batches[0]);
        Assert.Equal(firstReply.Packets, again.Packets);
        Assert.Null(second.Behind);
        Assert.Equal((frames.Count - half, 0L), (second.Packets, second.Duplicates));
        Assert.Equal(frames.Count, final!.Batches[0]);
    }

    [Fact]
    public async Task RunAsync_StagedStepBeforeTheShardStoredTheStageBefore_Behind_ThenRuns()
    {
        var frames = Traffic(6);
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions());

        var (_, early) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, frames.Count, first: 1, count: 1);
        var (afterStage0, stage0) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, frames.Count, first: 0, count: 1);
        var (_, stage1) = await Step(processor, store, afterStage0, new FlowShardBatch(afterStage0), frames, 0, frames.Count, first: 1, count: 1);

        Assert.Contains($"stages 0..0 of batch {frames.Count}", early.Behind, StringComparison.Ordinal);
        Assert.Null(stage1.Behind);
        Assert.Equal(new StagedMark(frames.Count, 1), afterStage0!.Staged[0]);
        Assert.Equal(stage0.Packets - stage0.DroppedPackets.Count, stage1.Stages[0].PacketsIn);
    }

    [Fact]
    public async Task RunAsync_LateStep_FlowsUnchangedButTheShardIsDoneWithIt_AStepWaitingForItRuns()
    {
        var frames = Traffic(6);
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions());
        int half = frames.Count / 2;

        var (afterLate, late) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, half, deadline: DateTime.UtcNow.AddSeconds(-1));
        var (_, next) = await Step(processor, store, afterLate, new FlowShardBatch(afterLate), frames, half, frames.Count, afterBatch: half);

        Assert.True(late.Late);
        Assert.Empty((await processor.LoadAsync(afterLate, "full:0")).Flows);
        Assert.Equal(half, afterLate!.Batches[0]);
        Assert.Null(next.Behind);
        Assert.Equal(frames.Count - half, next.Packets);
    }

    [Fact]
    public async Task RunAsync_StepsChangingFewFlowsOfABlobMap_StoreDeltasOnlyAndLoadTheSameMapAsWholeWrites()
    {
        var frames = Traffic(60);
        int perFlow = frames.Count / 60;
        var deltas = new FlowShardOptions { MaxMapDeltas = 4, InlineMapBytes = 512 };
        var whole = new FlowShardOptions { MaxMapDeltas = 0, InlineMapBytes = 512 };
        var store = new InMemoryPacketStore();
        var reference = new InMemoryPacketStore();
        var processor = Processor(store, deltas);
        var wholeWriter = Processor(reference, whole);

        var (state, first) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, 50 * perFlow);
        var (expected, _) = await Step(wholeWriter, reference, null, new FlowShardBatch(null), frames, 0, 50 * perFlow);
        string baseBlob = state!.MapBlob!;
        var states = new List<FlowShardState>();
        var written = new List<long>();
        for (int flow = 50; flow < 60; flow += 2)
        {
            (state, var result) = await Step(processor, store, state, new FlowShardBatch(state), frames, flow * perFlow, (flow + 2) * perFlow);
            (expected, _) = await Step(wholeWriter, reference, expected, new FlowShardBatch(expected), frames, flow * perFlow, (flow + 2) * perFlow);
            states.Add(state!);
            written.Add(result.StateBytes);
            Assert.Equal(2 * perFlow, result.Packets);
        }

        // Four steps add a delta each (the first inline, the rest too big for what is left of 512 bytes: blobs)...
        Assert.All(states.Take(4), s => Assert.Equal(baseBlob, s.MapBlob));
        Assert.Equal([1, 2, 3, 4], states.Take(4).Select(s => s.Deltas.Count));
        Assert.NotNull(states[0].Deltas[0].Bytes);
        Assert.Contains(states[3].Deltas, d => d.Blob is not null);
        Assert.All(written.Take(4), w => Assert.True(w < first.StateBytes / 4, $"a step of 2 new flows wrote {w} B; the 50-flow map is {first.StateBytes} B"));
        // ...and the fifth writes the map whole; what the last one replaced waits until its state is stored.
        var last = states[4];
        Assert.NotEqual(baseBlob, last.MapBlob);
        Assert.Empty(last.Deltas);
        Assert.Equal(FlowShardProcessor.BlobsOf(states[3]).Order(), last.SupersededMapBlobs.Order());
        Assert.All(last.SupersededMapBlobs, b => Assert.True(store.Blobs.ContainsKey(b)));

        foreach (var s in states)
        {
            Assert.Equal(s.Flows, (await processor.LoadAsync(s, "full:0")).Flows.Count);
        }
        Assert.Equal(FlowShardMapTests.View(await wholeWriter.LoadAsync(expected, "full:0")), FlowShardMapTests.View(await processor.LoadAsync(last, "full:0")));
        Assert.Equal(FlowShardMapTests.View(await wholeWriter.LoadAsync(expected, "full:0")).Count, last.Flows);
    }

    [Fact]
    public async Task RunAsync_StepChangingMostFlowsOfABlobMap_WritesTheMapWhole()
    {
        var frames = Traffic(20);
        int perFlow = frames.Count / 20;
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions { InlineMapBytes = 256 });
        var (state, _) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, 8 * perFlow);

        var (next, _) = await Step(processor, store, state, new FlowShardBatch(state), frames, 8 * perFlow, frames.Count);

        Assert.NotEqual(state!.MapBlob, next!.MapBlob);
        Assert.Empty(next.Deltas);
        Assert.Equal(20, (await processor.LoadAsync(next, "full:0")).Flows.Count);
    }

    [Fact]
    public async Task LoadAsync_DeltaBlobChangedOrGone_RefusedNamingTheShardAndTheDelta()
    {
        var frames = Traffic(30);
        int perFlow = frames.Count / 30;
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions { InlineMapBytes = 256 });
        var (state, _) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, 28 * perFlow);
        (state, _) = await Step(processor, store, state, new FlowShardBatch(state), frames, 28 * perFlow, frames.Count);
        string delta = Assert.Single(state!.Deltas).Blob!;

        store.Blobs[delta][3] ^= 0xFF;
        var changed = await Assert.ThrowsAsync<FlowShardMapException>(() => processor.LoadAsync(state, "full:0"));
        store.Blobs.Remove(delta);
        var gone = await Assert.ThrowsAsync<FlowShardMapException>(() => processor.LoadAsync(state, "full:0"));

        Assert.Contains("flow shard full:0 (delta 1 of 1)", changed.Message, StringComparison.Ordinal);
        Assert.Contains("hash", changed.Message, StringComparison.Ordinal);
        Assert.Contains(delta, gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TwoStepsInOneBatchOfOperations_TheStoredMapWaitsForTheNewStateAndTheInBetweenMapGoesAtOnce()
    {
        var frames = Traffic(30);
        int perFlow = frames.Count / 30;
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions { MaxMapDeltas = 0, InlineMapBytes = 256 });
        var (stored, _) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, 10 * perFlow);

        var batch = new FlowShardBatch(stored);
        var (between, _) = await Step(processor, store, stored, batch, frames, 10 * perFlow, 20 * perFlow);
        var (last, _) = await Step(processor, store, between, batch, frames, 20 * perFlow, frames.Count);

        Assert.Equal([stored!.MapBlob!], last!.SupersededMapBlobs);
        Assert.True(store.Blobs.ContainsKey(stored.MapBlob!));
        Assert.False(store.Blobs.ContainsKey(between!.MapBlob!));
        Assert.Equal(30, (await processor.LoadAsync(last, "full:0")).Flows.Count);
    }

    /// <summary>The fast path's commits retire superseded map blobs as steps do: once per batch of operations, never carried on.</summary>
    [Fact]
    public async Task CommitAsync_InLaterBatches_DeletesWhatTheStoredStateSupersededAndCarriesNothingOn()
    {
        var store = new InMemoryPacketStore();
        var processor = Processor(store, new FlowShardOptions { MaxMapDeltas = 0, InlineMapBytes = 256 });
        async Task<FlowShardState?> Commit(FlowShardState? state, long version)
        {
            var flows = new FlowShardMap();
            for (int i = 0; i < 40; i++)
            {
                flows.Set($"udp 10.0.0.{i}:1 <-> 10.0.1.1:53", new ShardFlow { Version = version, Snapshot = [.. Guid.NewGuid().ToByteArray(), (byte)i] });
            }
            byte[] encoded = flows.Encode();
            string blob = $"commits/c{version}.fsc";
            await store.PutAsync(blob, encoded);
            var (result, next) = await processor.CommitAsync(new ShardCommit(blob, 0, encoded.Length, ContentHash.Of(encoded), 0, version), state, "full:0", new FlowShardBatch(state));
            Assert.Equal(40, result.Applied);
            return next;
        }

        var first = await Commit(null, 1);
        var second = await Commit(first, 2);
        var supersededBySecond = second!.SupersededMapBlobs.ToList();
        var third = await Commit(second, 3);

        Assert.Equal([first!.MapBlob!], supersededBySecond);
        Assert.Equal([second.MapBlob!], third!.SupersededMapBlobs);
        Assert.False(store.Blobs.ContainsKey(first.MapBlob!));
        Assert.True(store.Blobs.ContainsKey(second.MapBlob!));
    }

    /// <summary>
    /// A worker that keeps the maps it stored steps a shard again without reading its map: the
    /// states it stores, read back from storage, hold the same flows as a worker that loads every map.
    /// </summary>
    [Fact]
    public async Task RunAsync_NextStepsOnTheSameWorker_ReadNoMapBlobAndStoreTheSameFlows()
    {
        var frames = Traffic(40);
        var options = new FlowShardOptions { InlineMapBytes = 512 };
        async Task<(FlowShardMap Map, List<string> Reads)> Run(FlowShardMapCache? cache)
        {
            var store = new InMemoryPacketStore();
            var processor = new FlowShardProcessor(new FixedChainSource(TestChains.Full()), store, TimeProvider.System, TimeSpan.FromMinutes(10), options, cache);
            FlowShardState? state = null;
            int quarter = frames.Count / 4;
            for (int i = 0; i < 4; i++)
            {
                (state, _) = await Step(processor, store, state, new FlowShardBatch(state), frames, i * quarter, i == 3 ? frames.Count : (i + 1) * quarter);
            }
            Assert.NotNull(state!.MapBlob);
            return (await processor.LoadAsync(state, "full:0"), store.Reads.Where(r => r.StartsWith("maps/", StringComparison.Ordinal)).ToList());
        }
        var cache = new FlowShardMapCache(100_000);

        var (cached, cachedReads) = await Run(cache);
        var (loaded, loadedReads) = await Run(null);

        Assert.Equal((3L, 1L), (cache.Hits, cache.Misses));
        // The only map reads of the cached run are the final check's.
        Assert.True(loadedReads.Count > cachedReads.Count + 2, $"{loadedReads.Count} map reads loading every map, {cachedReads.Count} keeping them");
        Assert.Equal(
            loaded.Flows.Select(f => (f.Key, f.Value.Version, f.Value.Partition, f.Value.LastSeenNanos, Convert.ToHexString(f.Value.Snapshot ?? []))).OrderBy(f => f.Key),
            cached.Flows.Select(f => (f.Key, f.Value.Version, f.Value.Partition, f.Value.LastSeenNanos, Convert.ToHexString(f.Value.Snapshot ?? []))).OrderBy(f => f.Key));
        Assert.Equal(40, cached.Flows.Count);
    }

    /// <summary>
    /// A step whose state is not the one the worker kept (its batch of operations was never
    /// stored, so the step comes again from the state before) loads the map from that state.
    /// </summary>
    [Fact]
    public async Task RunAsync_StateOtherThanTheKeptMaps_LoadsItsOwnMap()
    {
        var frames = Traffic(30);
        var store = new InMemoryPacketStore();
        var cache = new FlowShardMapCache(100_000);
        var processor = new FlowShardProcessor(new FixedChainSource(TestChains.Full()), store, TimeProvider.System, TimeSpan.FromMinutes(10), new FlowShardOptions { InlineMapBytes = 512 }, cache);
        int third = frames.Count / 3;
        var (s1, _) = await Step(processor, store, null, new FlowShardBatch(null), frames, 0, third);
        var (lost, _) = await Step(processor, store, s1, new FlowShardBatch(s1), frames, third, 2 * third);

        var (s2, result) = await Step(processor, store, s1, new FlowShardBatch(s1), frames, 2 * third, frames.Count);
        var map = await processor.LoadAsync(s2, "full:0");

        Assert.NotEqual(lost!.MapId, s2!.MapId);
        Assert.Equal(0, result.Duplicates);
        Assert.Equal(20, map.Flows.Count);
        Assert.Equal((1L, 2L), (cache.Hits, cache.Misses));
    }

    [Theory]
    [InlineData("MaxMapDeltas")]
    [InlineData("CompactAtDeltaShare")]
    [InlineData("InlineMapBytes")]
    [InlineData("CachedFlows")]
    [InlineData("TombstoneRetention")]
    public void Validate_ValueOutOfRange_RefusedNamingIt(string name)
    {
        var options = name switch
        {
            "MaxMapDeltas" => new FlowShardOptions { MaxMapDeltas = 65 },
            "CompactAtDeltaShare" => new FlowShardOptions { CompactAtDeltaShare = 0 },
            "InlineMapBytes" => new FlowShardOptions { InlineMapBytes = -1 },
            "CachedFlows" => new FlowShardOptions { CachedFlows = -1 },
            _ => new FlowShardOptions { TombstoneRetention = TimeSpan.Zero },
        };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());

        Assert.Equal(name, error.ParamName);
        var defaults = new FlowShardOptions();
        Assert.Same(defaults, defaults.Validate());
    }

    /// <summary>A processor over the full test chain with a 10-minute idle floor.</summary>
    private static FlowShardProcessor Processor(InMemoryPacketStore store, FlowShardOptions options) =>
        new(new FixedChainSource(TestChains.Full()), store, TimeProvider.System, TimeSpan.FromMinutes(10), options);
}
