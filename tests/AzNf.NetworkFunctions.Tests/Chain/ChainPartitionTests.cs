using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;
using static AzNf.NetworkFunctions.Tests.TestPackets;

namespace AzNf.NetworkFunctions.Tests.Chain;

public class ChainPartitionTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void Process_BothDirections_OneFlowWithCountsPerDirection()
    {
        var driver = PartitionDriver.ForChain(PartitionDriver.CounterChain);
        var syn = Tcp(fromClient: true, TcpFlags.Syn);
        var synAck = Tcp(fromClient: false, TcpFlags.Syn | TcpFlags.Ack, payload: "");
        var data = Tcp(fromClient: true, TcpFlags.Ack | TcpFlags.Psh, payload: "GET / HTTP/1.1\r\n\r\n");

        driver.Send(syn, 1 * Second);
        driver.Send(synAck, 2 * Second);
        driver.Send(data, 3 * Second);
        var flows = driver.Finish();

        var flow = Assert.Single(flows);
        Assert.Equal(Client, flow.AAddress);
        Assert.Equal(40000, flow.APort);
        Assert.Equal(Server, flow.BAddress);
        Assert.Equal(2, flow.PacketsAToB);
        Assert.Equal(1, flow.PacketsBToA);
        Assert.Equal(syn.Length + data.Length, flow.BytesAToB);
        Assert.Equal(synAck.Length, flow.BytesBToA);
        Assert.Equal(1, flow.FirstPacketIndex);
        Assert.Equal(FlowEndReason.EndOfRun, flow.End);
    }

    [Fact]
    public void Process_OriginatorIsUpperEndpoint_ItIsStillA()
    {
        var driver = PartitionDriver.ForChain(PartitionDriver.CounterChain);

        driver.Send(Tcp(fromClient: false, TcpFlags.Syn), Second); // 10.0.0.10 < 192.168.1.20, but the server speaks first here
        driver.Send(Tcp(fromClient: true, TcpFlags.Syn | TcpFlags.Ack), 2 * Second);
        var flow = Assert.Single(driver.Finish());

        Assert.Equal(Server, flow.AAddress);
        Assert.Equal(1, flow.PacketsAToB);
        Assert.Equal(1, flow.PacketsBToA);
    }

    [Fact]
    public void Process_SynAfterBothFins_StartsSecondFlowOnSameKey()
    {
        var driver = PartitionDriver.ForChain(PartitionDriver.CounterChain);
        driver.Send(Tcp(true, TcpFlags.Syn, seq: 100), Second);
        driver.Send(Tcp(false, TcpFlags.Syn | TcpFlags.Ack, seq: 500, ack: 101), Second);
        driver.Send(Tcp(true, TcpFlags.Ack, seq: 101, ack: 501), Second);
        driver.Send(Tcp(true, TcpFlags.Fin | TcpFlags.Ack, seq: 101, ack: 501), Second);
        driver.Send(Tcp(false, TcpFlags.Fin | TcpFlags.Ack, seq: 501, ack: 102), Second);
        driver.Send(Tcp(true, TcpFlags.Ack, seq: 102, ack: 502), Second);

        driver.Send(Tcp(true, TcpFlags.Syn, seq: 9000), 2 * Second);
        driver.Send(Tcp(false, TcpFlags.Syn | TcpFlags.Ack, seq: 7000, ack: 9001), 2 * Second);
        var flows = driver.Finish();

        Assert.Equal(2, flows.Count);
        Assert.Equal(flows[0].Key, flows[1].Key);
        Assert.Equal((4, 2), (flows[0].PacketsAToB, flows[0].PacketsBToA));
        Assert.Equal(FlowEndReason.Reused, flows[0].End);
        Assert.Equal((1, 1), (flows[1].PacketsAToB, flows[1].PacketsBToA));
        Assert.Equal(7, flows[1].FirstPacketIndex);
        Assert.Equal(1, driver.Partition.FlowsReused);
    }

    [Fact]
    public void Process_SynAfterReset_StartsSecondFlow()
    {
        var driver = PartitionDriver.ForChain(PartitionDriver.CounterChain);
        driver.Send(Tcp(true, TcpFlags.Syn), Second);
        driver.Send(Tcp(false, TcpFlags.Rst | TcpFlags.Ack), Second);

        driver.Send(Tcp(true, TcpFlags.Syn, seq: 77), 2 * Second);
        var flows = driver.Finish();

        Assert.Equal(2, flows.Count);
    }

    [Fact]
    public void Process_SynRetransmissionOnOpenFlow_StaysOneFlow()
    {
        var driver = PartitionDriver.ForChain(PartitionDriver.CounterChain);

        driver.Send(Tcp(true, TcpFlags.Syn), Second);
        driver.Send(Tcp(true, TcpFlags.Syn), 2 * Second);
        var flow = Assert.Single(driver.Finish());

        Assert.Equal(2, flow.PacketsAToB);
    }

    [Fact]
    public void Process_UdpIdlePastTimeout_ExpiresAndStartsNewFlow()
    {
        var driver = PartitionDriver.ForChain("""{ "flowTable": { "timeoutsSeconds": { "udp": 30 } }, "stages": [ { "type": "counter" } ] }""");

        driver.Send(Udp(true), 0);
        driver.Send(Udp(false), 10 * Second);
        driver.Send(Udp(true), 100 * Second);
        var flows = driver.Finish();

        Assert.Equal(2, flows.Count);
        Assert.Equal(FlowEndReason.Expired, flows[0].End);
        Assert.Equal((1, 1), (flows[0].PacketsAToB, flows[0].PacketsBToA));
        Assert.Equal(1, flows[1].PacketsAToB);
        Assert.Equal(1, driver.Partition.Flows.Expired);
    }

    [Fact]
    public void Process_MalformedFrame_CountedByReasonAndForwarded()
    {
        var driver = PartitionDriver.ForChain(PartitionDriver.CounterChain);
        var frame = Tcp(true, TcpFlags.Syn);
        frame[14] = 0x43; // IHL 3: shorter than the fixed header

        var verdict = driver.Send(frame, Second);
        var flows = driver.Finish();

        Assert.Equal(VerdictAction.Forward, verdict.Action);
        Assert.Empty(flows);
        Assert.Equal(1, driver.Partition.UnparsedByReason[(int)MalformedReason.IPv4BadIhl]);
        Assert.Equal(1, driver.Partition.Forwarded);
        Assert.Equal(1, driver.Partition.StageCounters[0].PacketsIn);
    }

    [Fact]
    public void Process_FlowTableFull_EvictsLeastRecentlySeenAndKeepsItsRecord()
    {
        var driver = PartitionDriver.ForChain("""{ "flowTable": { "capacity": 2 }, "stages": [ { "type": "counter" } ] }""");

        driver.Send(Udp(true, clientPort: 1001), 1 * Second);
        driver.Send(Udp(true, clientPort: 1002), 2 * Second);
        driver.Send(Udp(true, clientPort: 1001), 3 * Second);
        driver.Send(Udp(true, clientPort: 1003), 4 * Second);
        var flows = driver.Finish();

        Assert.Equal(1, driver.Partition.Flows.Evicted);
        Assert.Equal(3, flows.Count);
        var evicted = Assert.Single(flows, f => f.End == FlowEndReason.Evicted);
        Assert.Equal(1002, evicted.APort);
        Assert.Equal(2, flows.Single(f => f.APort == 1001).PacketsAToB);
    }
}
