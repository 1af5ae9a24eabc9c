using Azure.Messaging.EventHubs;
using AzNf.Ingest.Consumer;
using AzNf.Ingest.Events;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Consumer;

/// <summary>
/// The processor's batch path against Azurite tables. No broker runs here, so the tests call
/// the processor's batch method with events built by <see cref="EventHubsModelFactory"/>, as the
/// SDK's partition loop would after reading them.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class PacketEventProcessorTests(AzuriteFixture azurite)
{
    private const string Namespace = "aznf-test.servicebus.windows.net";

    private static EventData Event(long sequenceNumber, byte[] body, bool withProperties = true)
    {
        var properties = new Dictionary<string, object>();
        if (withProperties)
        {
            properties[PacketEventProperties.FlowKey] = "tcp 10.0.0.10:80 <-> 192.168.1.20:40000";
            properties[PacketEventProperties.Source] = "test.pcap";
            properties[PacketEventProperties.Sequence] = sequenceNumber + 1;
        }
        return EventHubsModelFactory.EventData(new BinaryData(body), properties, new Dictionary<string, object>(), "k", sequenceNumber, (sequenceNumber * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UnixEpoch);
    }

    private static byte[] PacketBody(int packets, bool fromClient = true)
    {
        var writer = new PacketEventWriter(1 << 20);
        writer.Start(LinkType.Ethernet, TestTraffic.Start);
        for (int i = 0; i < packets; i++)
        {
            var frame = TestTraffic.Tcp(fromClient, payload: "x" + i);
            writer.TryAppend(frame, frame.Length, TestTraffic.Start + i);
        }
        return writer.ToArray();
    }

    /// <summary>Handles every batch with the inner handler, then "crashes" once: the process dies before the checkpoint.</summary>
    private sealed class CrashAfterHandling(IPartitionBatchHandler inner) : IPartitionBatchHandler
    {
        public bool Crashed { get; private set; }

        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => inner.OpenPartitionAsync(partition, cancellation);

        public async ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
        {
            await inner.HandleAsync(batch, cancellation);
            if (!Crashed)
            {
                Crashed = true;
                throw new InvalidOperationException("crash between handling and checkpointing");
            }
        }

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => inner.ClosePartitionAsync(partition, reason, cancellation);
    }

    [Fact]
    public async Task CrashBetweenHandlingAndCheckpoint_ReplayFromCheckpoint_CountsOnce()
    {
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var chain = new ChainPartitionHandler(Partitions.ChainPartitionHandlerTests.CounterChain(), 4, PacketEventFormat.MaxPacketsPerEvent);
        var crashing = new CrashAfterHandling(chain);
        var events = Enumerable.Range(0, 10).Select(s => Event(s, PacketBody(3, fromClient: s % 2 == 0))).ToList();
        var first = ConsumerTestSetup.Processor(store, deadLetters, crashing, "proc-1");
        var firstPartition = PacketPartition.Of("2");
        await first.InitializePartitionAsync(firstPartition, default);

        await Assert.ThrowsAsync<InvalidOperationException>(() => first.ProcessBatchAsync(events.Take(6), firstPartition, default));
        var afterCrash = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "2", default);
        // The partition restarts from its checkpoint (none yet), so all ten events come again.
        var second = ConsumerTestSetup.Processor(store, deadLetters, crashing, "proc-2");
        var secondPartition = PacketPartition.Of("2");
        await second.InitializePartitionAsync(secondPartition, default);
        await second.ProcessBatchAsync(events, secondPartition, default);
        var afterReplay = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "2", default);

        Assert.Null(afterCrash);
        Assert.Equal(30, chain.Partition(2)!.Packets);
        Assert.Equal(18, chain.SkippedPackets);
        Assert.NotNull(afterReplay);
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("9000", isInclusive: false), afterReplay.StartingPosition);
        Assert.Equal(30, second.Counters.Packets);
        Assert.Equal(1, second.Counters.Checkpoints);
    }

    /// <summary>
    /// The checkpoint table fails now and then (503s, dropped connections, replies lost after the
    /// write): the client's retries and the guarded write's re-read carry every checkpoint through;
    /// a write whose reply was lost is not taken for a lost race (its retry meets its own ETag or row).
    /// </summary>
    [Fact]
    public async Task CheckpointTableFailsAShareOfRequests_EveryEventOnceAndEveryCheckpointWritten()
    {
        var faults = new StorageFaultPolicy(new StorageFaults(Unavailable: 0.1, Dropped: 0.05, LostReply: 0.15, Delayed: 0.05), seed: 7);
        var tableOptions = new Azure.Data.Tables.TableClientOptions();
        tableOptions.Retry.Delay = TimeSpan.FromMilliseconds(10);
        tableOptions.Retry.MaxRetries = 10;
        tableOptions.AddPolicy(faults, Azure.Core.HttpPipelinePosition.PerRetry);
        var store = new TableCheckpointStore(new Azure.Data.Tables.TableClient(azurite.ConnectionString, AzuriteFixture.UniqueName("ckpt"), tableOptions));
        var (_, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        await store.CreateIfNotExistsAsync();
        var chain = new ChainPartitionHandler(Partitions.ChainPartitionHandlerTests.CounterChain(), 4, PacketEventFormat.MaxPacketsPerEvent);
        var events = Enumerable.Range(0, 40).Select(s => Event(s, PacketBody(2))).ToList();
        var processor = ConsumerTestSetup.Processor(store, deadLetters, chain, "proc-1");
        var partition = PacketPartition.Of("3");
        await processor.InitializePartitionAsync(partition, default);

        foreach (var batch in events.Chunk(4))
        {
            await processor.ProcessBatchAsync(batch, partition, default);
        }
        faults.Stop();
        var stored = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "3", default);

        Assert.True(faults.LostReplies > 0 && faults.Unavailable > 0, $"{faults.LostReplies} lost replies, {faults.Unavailable} 503s injected");
        Assert.Equal(80, chain.Partition(3)!.Packets);
        Assert.Equal(0, chain.SkippedPackets);
        Assert.Equal((10L, 0L), (processor.Counters.Checkpoints, processor.Counters.CheckpointsRefused));
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("39000", isInclusive: false), stored!.StartingPosition);
    }

    [Fact]
    public async Task TwoProcessorsRacing_TheOneThatLostThePartitionCannotMoveItsCheckpoint()
    {
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var chain = new ChainPartitionHandler(Partitions.ChainPartitionHandlerTests.CounterChain(), 4, PacketEventFormat.MaxPacketsPerEvent);
        var events = Enumerable.Range(0, 8).Select(s => Event(s, PacketBody(2))).ToList();
        var owner = new Azure.Messaging.EventHubs.Primitives.EventProcessorPartitionOwnership
        {
            FullyQualifiedNamespace = Namespace, EventHubName = ConsumerTestSetup.Hub, ConsumerGroup = "$Default", PartitionId = "1", OwnerIdentifier = "proc-old",
        };
        var claimed = (await store.ClaimOwnershipAsync([owner], default)).Single();
        var old = ConsumerTestSetup.Processor(store, deadLetters, chain, "proc-old");
        var oldPartition = PacketPartition.Of("1");
        await old.InitializePartitionAsync(oldPartition, default);
        await old.ProcessBatchAsync(events.Take(3), oldPartition, default);

        // proc-new takes the partition over and gets further while proc-old still finishes a batch.
        claimed.OwnerIdentifier = "proc-new";
        await store.ClaimOwnershipAsync([claimed], default);
        var next = ConsumerTestSetup.Processor(store, deadLetters, chain, "proc-new");
        var nextPartition = PacketPartition.Of("1");
        await next.InitializePartitionAsync(nextPartition, default);
        await next.ProcessBatchAsync(events.Skip(3), nextPartition, default);
        await old.ProcessBatchAsync(events.Skip(3).Take(2), oldPartition, default);
        var stored = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "1", default);

        Assert.Equal(1, old.Counters.Checkpoints);
        Assert.Equal(1, old.Counters.CheckpointsRefused);
        Assert.Equal(1, next.Counters.Checkpoints);
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("7000", isInclusive: false), stored!.StartingPosition);
    }

    [Fact]
    public async Task GatedHandler_CheckpointStaysAtTheLastEventItStored()
    {
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var gated = new StoresLater();
        var processor = ConsumerTestSetup.Processor(store, deadLetters, gated, "proc-1");
        var partition = PacketPartition.Of("0");
        await processor.InitializePartitionAsync(partition, default);

        await processor.ProcessBatchAsync([Event(0, PacketBody(1)), Event(1, PacketBody(1))], partition, default);
        var nothingStored = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "0", default);
        gated.StoredThrough = 1;
        await processor.ProcessBatchAsync([Event(2, PacketBody(1)), Event(3, PacketBody(1))], partition, default);
        var firstBatchStored = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "0", default);
        gated.StoredThrough = 3;
        await processor.ProcessBatchAsync([Event(4, PacketBody(1))], partition, default);
        var secondBatchStored = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "0", default);

        Assert.Null(nothingStored);
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("1000", isInclusive: false), firstBatchStored!.StartingPosition);
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("3000", isInclusive: false), secondBatchStored!.StartingPosition);
    }

    /// <summary>Handles at once, stores later: says how far it has stored.</summary>
    private sealed class StoresLater : IPartitionBatchHandler, IPartitionCheckpointGate
    {
        public long StoredThrough { get; set; } = -1;

        public long CheckpointableThrough(int partition) => StoredThrough;

        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task MalformedEvents_DeadLetteredCountedAndTheRestHandled()
    {
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var chain = new ChainPartitionHandler(Partitions.ChainPartitionHandlerTests.CounterChain(), 1, PacketEventFormat.MaxPacketsPerEvent);
        var processor = ConsumerTestSetup.Processor(store, deadLetters, chain, "proc-1");
        var partition = PacketPartition.Of("0");
        await processor.InitializePartitionAsync(partition, default);
        var truncated = PacketBody(2)[..^5];
        var version9 = PacketBody(1);
        version9[PacketEventFormat.VersionOffset] = 9;
        var events = new List<EventData>
        {
            Event(0, PacketBody(2)),
            Event(1, truncated),
            Event(2, PacketBody(1), withProperties: false),
            Event(3, version9),
            Event(4, PacketBody(4)),
        };

        await processor.ProcessBatchAsync(events, partition, default);
        var dead = await deadLetters.ListAsync(processor.Scope, "0");
        var checkpoint = await store.GetCheckpointAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "0", default);

        Assert.Equal(6, chain.Partition(0)!.Packets);
        Assert.Equal(5, processor.Counters.Events);
        Assert.Equal(3, processor.Counters.RejectedTotal);
        Assert.Equal(1, processor.Counters.Rejected(PacketEventError.FrameTruncated));
        Assert.Equal(1, processor.Counters.Rejected(PacketEventError.MissingProperty));
        Assert.Equal(1, processor.Counters.Rejected(PacketEventError.UnsupportedVersion));
        Assert.Equal([1L, 2L, 3L], dead.Select(d => d.SequenceNumber));
        Assert.Equal(["frame-truncated", "missing-property", "unsupported-version"], dead.Select(d => d.Reason));
        Assert.Contains(PacketEventProperties.FlowKey, dead[1].Detail);
        Assert.Equal(Azure.Messaging.EventHubs.Consumer.EventPosition.FromOffset("4000", isInclusive: false), checkpoint!.StartingPosition);
    }

    [Fact]
    public async Task EventsBeyondBatchSize_HandedOverInSeveralBatchesNeverSplittingAnEvent()
    {
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var sizes = new List<int>();
        var handler = new BatchSizeRecorder(sizes);
        var processor = ConsumerTestSetup.Processor(store, deadLetters, handler, "proc-1");
        var partition = PacketPartition.Of("1");
        await processor.InitializePartitionAsync(partition, default);
        var events = Enumerable.Range(0, 5).Select(s => Event(s, PacketBody(1000))).ToList();

        await processor.ProcessBatchAsync(events, partition, default);

        Assert.Equal([4000, 1000], sizes);
        Assert.Equal(2, processor.Counters.Batches);
    }

    private sealed class BatchSizeRecorder(List<int> sizes) : IPartitionBatchHandler
    {
        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
        {
            sizes.Add(batch.Count);
            return ValueTask.CompletedTask;
        }

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => ValueTask.CompletedTask;
    }
}
