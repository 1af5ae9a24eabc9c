using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Chains;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests;

public class WorkUnitSplitterTests
{
    private static readonly CompiledChain Compiled = new(TestChains.Full(), 3, 2);

    [Fact]
    public void Split_Flowlet_OneUnitPerFlowInFirstPacketOrder()
    {
        var batch = Batch(out var a, out var b);

        var units = WorkUnitSplitter.Split(batch, Compiled, ChainGranularity.Flowlet, ChainMode.Staged);

        Assert.Equal([a, b, "unparsed p4"], units.Select(u => u.FlowKey));
        Assert.Equal([100L, 102L, 103L, 103L], units[0].Packets.Select(p => p.SequenceNumber));
        Assert.Equal((100L, 103L), (units[0].FirstSequenceNumber, units[0].LastSequenceNumber));
        Assert.All(units, u => Assert.Equal((3L, 2L, 4, ChainMode.Staged, "full"), (u.RuleSetVersion, u.BlocklistVersion, u.Partition, u.Mode, u.ChainName)));
        Assert.Equal(101, units[0].Packets[0].CaptureIndex);
    }

    [Fact]
    public void Split_Packet_OnePerPacketButAFlowsPacketsOfOneEventTogether()
    {
        var batch = Batch(out var a, out var b);

        var units = WorkUnitSplitter.Split(batch, Compiled, ChainGranularity.Packet, ChainMode.Fused);

        Assert.Equal([a, b, "unparsed p4", a, a], units.Select(u => u.FlowKey));
        Assert.Equal([103L, 103L], units[4].Packets.Select(p => p.SequenceNumber));
    }

    // Flow a: events 100, 102, 103 (two packets); flow b: event 101; an unparsable frame in event 101 too.
    private static PartitionBatch Batch(out string a, out string b)
    {
        var first = new TcpConversation("10.0.0.1", 1000, "10.0.0.2", 80).Handshake().Frames;
        var second = new TcpConversation("10.0.0.3", 1000, "10.0.0.2", 80).Handshake().Frames;
        a = TestUnits.KeyOf(first[0]).ToString();
        b = TestUnits.KeyOf(second[0]).ToString();
        var batch = new PartitionBatch(16) { Partition = 4 };
        batch.Add(100, 0, LinkType.Ethernet, first[0], first[0].Length, 1);
        batch.Add(101, 0, LinkType.Ethernet, second[0], second[0].Length, 2);
        batch.Add(101, 1, LinkType.Ethernet, [1, 2, 3], 3, 3);
        batch.Add(102, 0, LinkType.Ethernet, first[1], first[1].Length, 4);
        batch.Add(103, 0, LinkType.Ethernet, first[2], first[2].Length, 5);
        batch.Add(103, 1, LinkType.Ethernet, first[2], first[2].Length, 6);
        return batch;
    }
}
