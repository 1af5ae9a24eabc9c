using AzNf.Orchestrations.Hub;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests.Hub;

public class FlowHoldTests
{
    private static readonly NetAddress Client = NetAddress.Parse("10.0.0.1");
    private static readonly NetAddress Server = NetAddress.Parse("10.0.0.2");

    private static byte[] FromClient(TcpFlags flags, uint seq) => PacketBuilder.Tcp(Client, 40000, Server, 80, flags, seq, 7000);

    private static byte[] FromServer(TcpFlags flags, uint seq) => PacketBuilder.Tcp(Server, 80, Client, 40000, flags, seq, 1001);

    [Fact]
    public void HoldOrRelease_FinFromEachSide_ReleasesTheWholeFlowAsOneUnit()
    {
        var frames = new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("hello").Close().Frames;
        var chain = TestChains.Full();
        var hold = new FlowHold();

        var first = hold.HoldOrRelease(TestUnits.Unit(chain, frames, 0, 5));
        var second = hold.HoldOrRelease(TestUnits.Unit(chain, frames, 5, 6));
        var released = hold.HoldOrRelease(TestUnits.Unit(chain, frames, 6, frames.Count));

        Assert.Empty(first.Packets);
        Assert.Empty(second.Packets);
        Assert.Equal(Enumerable.Range(0, frames.Count).Select(i => (long)i), released.Packets.Select(p => p.SequenceNumber));
        Assert.Equal((0L, frames.Count - 1L), (released.FirstSequenceNumber, released.LastSequenceNumber));
        Assert.Equal(0, hold.Count);
    }

    [Fact]
    public void HoldOrRelease_RetransmittedFinFromOneSide_StillHeld()
    {
        byte[][] frames =
        [
            FromClient(TcpFlags.Syn, 1000),
            FromServer(TcpFlags.Syn | TcpFlags.Ack, 7000),
            FromClient(TcpFlags.Ack, 1001),
            FromClient(TcpFlags.Fin | TcpFlags.Ack, 1001),
            FromClient(TcpFlags.Fin | TcpFlags.Ack, 1001), // retransmitted: the server has not closed
            FromServer(TcpFlags.Ack, 7001),
        ];
        var hold = new FlowHold();

        var unit = hold.HoldOrRelease(TestUnits.Unit(TestChains.Full(), frames, 0, frames.Length));

        Assert.Empty(unit.Packets);
        Assert.Equal(1, hold.Count);
        Assert.Equal(frames.Length, Assert.Single(hold.ReleaseAll()).Packets.Count);
    }

    [Fact]
    public void HoldOrRelease_Reset_ReleasesAtOnce()
    {
        byte[][] frames = [FromClient(TcpFlags.Syn, 1000), FromServer(TcpFlags.Rst | TcpFlags.Ack, 0)];
        var hold = new FlowHold();

        var unit = hold.HoldOrRelease(TestUnits.Unit(TestChains.Full(), frames, 0, frames.Length));

        Assert.Equal(2, unit.Packets.Count);
        Assert.Equal(0, hold.Count);
    }
}
