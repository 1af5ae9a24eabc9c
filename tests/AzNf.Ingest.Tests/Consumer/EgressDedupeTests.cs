using System.Buffers.Binary;
using Azure.Messaging.EventHubs;
using AzNf.Ingest.Consumer;
using AzNf.Ingest.Events;
using AzNf.Ingest.Producer;
using AzNf.Ingest.Tests.Producer;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using AzNf.Partitions;
using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Consumer;

/// <summary>
/// A chain's forwarded packets through the egress (the SDK's mockable producer) into a consumer
/// (the processor's batch path over Azurite tables): a replayed send, cut into other events,
/// and a consumer restarted from its checkpoint still handle each packet exactly once.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class EgressDedupeTests(AzuriteFixture azurite)
{
    private const string Namespace = "aznf-test.servicebus.windows.net";

    /// <summary>Six flows' packets as a batch lists them (slice by slice, so not in index order), with an unparsed frame.</summary>
    private static List<ForwardedPacket> Forwarded(int packetsPerFlow)
    {
        var packets = new List<ForwardedPacket>();
        long index = 0;
        for (int round = 0; round < packetsPerFlow; round++)
        {
            for (ushort flow = 0; flow < 6; flow++)
            {
                var frame = TestTraffic.Tcp(fromClient: round % 2 == 0, clientPort: (ushort)(40000 + flow), payload: $"f{flow} r{round}");
                Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, frame, out var parsed));
                packets.Add(new ForwardedPacket(FlowKey.From(parsed, out _), true, ++index, 0, index, LinkType.Ethernet, TestTraffic.Start + index, frame.Length, frame));
            }
        }
        byte[] junk = [1, 2, 3];
        packets.Add(new ForwardedPacket(default, false, ++index, 0, index, LinkType.Ethernet, TestTraffic.Start + index, junk.Length, junk));
        // A batch hands them over per flow shard: shuffle the order deterministically.
        return packets.OrderBy(p => p.IsParsed ? p.Key.StableHash % 3 : 9).ThenBy(p => p.CaptureIndex).ToList();
    }

    [Fact]
    public async Task Egress_SendsEachPartitionItsPacketsInOriginOrderMarkedWithTheirOrigin()
    {
        var client = new RecordingProducerClient();
        var egress = new EventHubPacketEgress(client, maxPacketsPerEvent: 4);
        var packets = Forwarded(packetsPerFlow: 5);

        await egress.SendAsync("edge", 3, packets, default);

        Assert.Equal(packets.Count, egress.PacketsSent);
        var received = new List<long>();
        foreach (var (partitionId, events) in client.SentToPartition)
        {
            int p = int.Parse(partitionId!, System.Globalization.CultureInfo.InvariantCulture);
            long previous = 0;
            foreach (var e in events)
            {
                Assert.Equal("edge/3", e.Properties[PacketEventProperties.Origin]);
                Assert.Equal(PacketEventError.None, PacketEventProperties.Check(e.Properties, out _));
                var indexes = Indexes(e);
                Assert.True(indexes.Length <= 4);
                Assert.Equal($"edge/3/{indexes[0]}", e.MessageId);
                Assert.Equal(indexes[0], e.Properties[PacketEventProperties.Sequence]);
                var batch = new PartitionBatch(64);
                Assert.Equal(PacketEventError.None, PacketEventReader.TryDecode(e.EventBody.ToMemory().Span, 0, batch));
                for (int i = 0; i < indexes.Length; i++)
                {
                    Assert.True(indexes[i] > previous, "each partition gets its packets in increasing origin order");
                    previous = indexes[i];
                    var sent = packets.Single(x => x.CaptureIndex == indexes[i]);
                    Assert.Equal(p, EventHubPacketEgress.PartitionOf(sent, 4));
                    Assert.Equal(sent.Frame.ToArray(), batch.Frame(batch.Packets[i]).ToArray());
                    Assert.Equal(sent.TimestampNanos, batch.Packets[i].TimestampNanos);
                }
                received.AddRange(indexes);
            }
        }
        Assert.Equal(packets.Select(p => p.CaptureIndex).Order(), received.Order());
        // Both directions of a flow share a partition: its key is symmetric.
        Assert.All(packets.Where(p => p.IsParsed).GroupBy(p => p.Key), flow => Assert.Single(flow.Select(p => EventHubPacketEgress.PartitionOf(p, 4)).Distinct()));
    }

    [Fact]
    public async Task ReplayedSendCutOtherwiseAndConsumerRestart_EachPacketHandledOnce()
    {
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var packets = Forwarded(packetsPerFlow: 6);
        // The first send, then a crash before the checkpoint: the batch runs again and its
        // packets go out again, cut into events of another size, with a later batch's packets after them.
        var first = new RecordingProducerClient { PartitionIds = ["0"] };
        await new EventHubPacketEgress(first, maxPacketsPerEvent: 4).SendAsync("edge", 0, packets, default);
        var replay = new RecordingProducerClient { PartitionIds = ["0"] };
        var later = Forwarded(packetsPerFlow: 2).Select(p => p with { CaptureIndex = p.CaptureIndex + 1000 }).ToList();
        await new EventHubPacketEgress(replay, maxPacketsPerEvent: 5).SendAsync("edge", 0, [.. packets.Skip(10), .. later], default);
        // The consumer's hub partition holds the first copies, then the replay.
        var hub = first.SentToPartition.SelectMany(b => b.Events).Concat(replay.SentToPartition.SelectMany(b => b.Events))
            .Select((e, i) => Received(e, i)).ToList();

        var chain = new ChainPartitionHandler(Partitions.ChainPartitionHandlerTests.CounterChain(), 1, PacketEventFormat.MaxPacketsPerEvent);
        var processor = ConsumerTestSetup.Processor(store, deadLetters, chain, "proc-1");
        var partition = PacketPartition.Of("0");
        await processor.InitializePartitionAsync(partition, default);
        int half = hub.Count / 2;
        await processor.ProcessBatchAsync(hub.Take(half), partition, default);
        await processor.ProcessBatchAsync(hub.Skip(half), partition, default);

        long unique = packets.Count + later.Count;
        Assert.Equal(unique, chain.Partition(0)!.Packets);
        Assert.Equal(packets.Count - 10, processor.Counters.DuplicatePackets);
        Assert.Equal(0, processor.Counters.RejectedTotal);

        // Restarted from its checkpoint (the end), the consumer meets a third copy of everything: all dropped.
        var restarted = ConsumerTestSetup.Processor(store, deadLetters, chain, "proc-2");
        var again = PacketPartition.Of("0");
        await restarted.InitializePartitionAsync(again, default);
        await restarted.ProcessBatchAsync(hub.Select((e, i) => Received(e, hub.Count + i)), again, default);

        Assert.Equal(unique, chain.Partition(0)!.Packets);
        Assert.Equal(unique + packets.Count - 10, restarted.Counters.DuplicatePackets);
        Assert.Equal(0, restarted.Counters.Packets);
        var watermarks = OriginWatermarks.Parse(await store.GetOriginWatermarksAsync(Namespace, ConsumerTestSetup.Hub, "$Default", "0", default));
        Assert.Equal(later.Max(p => p.CaptureIndex), watermarks.Of("edge/0"));
    }

    [Fact]
    public async Task EgressEventWithBadOriginIndexes_DeadLetteredAndTheRestHandled()
    {
        var (store, deadLetters) = await ConsumerTestSetup.TablesAsync(azurite);
        var client = new RecordingProducerClient { PartitionIds = ["0"] };
        await new EventHubPacketEgress(client, maxPacketsPerEvent: 3).SendAsync("edge", 0, Forwarded(packetsPerFlow: 1), default);
        var events = client.SentToPartition.SelectMany(b => b.Events).Select((e, i) => Received(e, i)).ToList();
        var broken = events[0];
        broken.Properties[PacketEventProperties.OriginIndexes] = new byte[5];
        var chain = new ChainPartitionHandler(Partitions.ChainPartitionHandlerTests.CounterChain(), 1, PacketEventFormat.MaxPacketsPerEvent);
        var processor = ConsumerTestSetup.Processor(store, deadLetters, chain, "proc-1");
        var partition = PacketPartition.Of("0");
        await processor.InitializePartitionAsync(partition, default);

        await processor.ProcessBatchAsync(events, partition, default);

        Assert.Equal(1, processor.Counters.Rejected(PacketEventError.BadOrigin));
        Assert.Equal(7 - Indexes(client.SentToPartition[0].Events[0]).Length, chain.Partition(0)!.Packets);
    }

    private static long[] Indexes(EventData e)
    {
        var packed = (byte[])e.Properties[PacketEventProperties.OriginIndexes];
        return Enumerable.Range(0, packed.Length / 8).Select(i => BinaryPrimitives.ReadInt64LittleEndian(packed.AsSpan(i * 8))).ToArray();
    }

    // An event as a consumer reads it back from the hub at sequence number <paramref name="sequence"/>.
    private static EventData Received(EventData sent, int sequence) =>
        EventHubsModelFactory.EventData(sent.EventBody, new Dictionary<string, object>(sent.Properties), new Dictionary<string, object>(), null, sequence, (sequence * 1000L).ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UnixEpoch);
}
