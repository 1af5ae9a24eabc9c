using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Partitions;

public sealed class ChainPartitionHandlerTests
{
    internal static ChainDefinition CounterChain() =>
        ChainDefinition.Load(Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "counter.json"));

    private static PartitionBatch Batch(int partition, long firstSequence, int events)
    {
        var batch = new PartitionBatch(256) { Partition = partition };
        for (int i = 0; i < events; i++)
        {
            var frame = TestTraffic.Tcp(i % 2 == 0);
            batch.Add(firstSequence + i, 0, LinkType.Ethernet, frame, frame.Length, TestTraffic.Start + i);
        }
        return batch;
    }

    [Fact]
    public async Task Handle_RedeliveredBatch_CountsEachPacketOnce()
    {
        var handler = new ChainPartitionHandler(CounterChain(), 2);
        await handler.OpenPartitionAsync(1, default);
        var first = Batch(1, 10, 5);
        var overlapping = Batch(1, 12, 6);

        await handler.HandleAsync(first, default);
        await handler.HandleAsync(first, default);
        await handler.HandleAsync(overlapping, default);

        Assert.Equal(8, handler.Partition(1)!.Packets);
        Assert.Equal(5 + 3, handler.SkippedPackets);
    }

    [Fact]
    public async Task Handle_FlowletRedeliveredInPart_SkipsOnlyHandledPositions()
    {
        var handler = new ChainPartitionHandler(CounterChain(), 1, packetsPerEvent: 8);
        await handler.OpenPartitionAsync(0, default);
        var frame = TestTraffic.Tcp(true);
        var firstHalf = new PartitionBatch(16);
        for (int position = 0; position < 4; position++)
        {
            firstHalf.Add(5, position, LinkType.Ethernet, frame, frame.Length, 0);
        }
        var whole = new PartitionBatch(16);
        for (int position = 0; position < 8; position++)
        {
            whole.Add(5, position, LinkType.Ethernet, frame, frame.Length, 0);
        }

        await handler.HandleAsync(firstHalf, default);
        await handler.HandleAsync(whole, default);

        Assert.Equal(8, handler.Partition(0)!.Packets);
        Assert.Equal(4, handler.SkippedPackets);
    }

    [Fact]
    public async Task Handle_BeforeOpen_Throws()
    {
        var handler = new ChainPartitionHandler(CounterChain(), 2);

        await Assert.ThrowsAsync<InvalidOperationException>(() => handler.HandleAsync(Batch(0, 1, 1), default).AsTask());
    }

    [Fact]
    public async Task Close_OwnershipLostThenReopened_KeepsFlowState()
    {
        var handler = new ChainPartitionHandler(CounterChain(), 1);
        await handler.OpenPartitionAsync(0, default);
        await handler.HandleAsync(Batch(0, 1, 3), default);

        await handler.ClosePartitionAsync(0, PartitionCloseReason.OwnershipLost, default);
        await handler.OpenPartitionAsync(0, default);
        await handler.HandleAsync(Batch(0, 4, 3), default);
        await handler.ClosePartitionAsync(0, PartitionCloseReason.EndOfInput, default);

        var flow = Assert.Single(handler.Partition(0)!.FinishedFlows);
        Assert.Equal(6, flow.PacketsAToB + flow.PacketsBToA);
    }
}
