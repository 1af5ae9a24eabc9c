using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Chain;

public class TcpConnectionTests
{
    [Fact]
    public void Track_FinTwiceFromOneSide_NotClosed()
    {
        var life = TcpLifecycle.None;

        TcpConnection.Track(ref life, TcpFlags.Fin | TcpFlags.Ack, fromA: true);
        TcpConnection.Track(ref life, TcpFlags.Fin | TcpFlags.Ack, fromA: true);

        Assert.False(TcpConnection.IsClosed(life));
        Assert.False(TcpConnection.StartsNewConnection(life, TcpFlags.Syn));
    }

    [Fact]
    public void Track_FinFromEachSide_ClosedAndABareSynStartsANewConnection()
    {
        var life = TcpLifecycle.None;

        TcpConnection.Track(ref life, TcpFlags.Fin | TcpFlags.Ack, fromA: true);
        TcpConnection.Track(ref life, TcpFlags.Fin | TcpFlags.Ack, fromA: false);

        Assert.True(TcpConnection.IsClosed(life));
        Assert.True(TcpConnection.StartsNewConnection(life, TcpFlags.Syn));
        Assert.False(TcpConnection.StartsNewConnection(life, TcpFlags.Syn | TcpFlags.Ack));
        Assert.Equal(FlowTimeoutClass.TcpClosed, TcpConnection.TimeoutClass(IpProtocol.Tcp, life));
    }

    [Fact]
    public void Track_Handshake_EstablishedOnlyWhenTheOriginatorAcksTheSynAck()
    {
        var life = TcpLifecycle.None;

        TcpConnection.Track(ref life, TcpFlags.Syn, fromA: true);
        TcpConnection.Track(ref life, TcpFlags.Ack, fromA: false);
        Assert.Equal(FlowTimeoutClass.TcpNew, TcpConnection.TimeoutClass(IpProtocol.Tcp, life));
        TcpConnection.Track(ref life, TcpFlags.Syn | TcpFlags.Ack, fromA: false);
        TcpConnection.Track(ref life, TcpFlags.Ack, fromA: true);

        Assert.Equal(FlowTimeoutClass.TcpEstablished, TcpConnection.TimeoutClass(IpProtocol.Tcp, life));
        Assert.Equal(FlowTimeoutClass.Udp, TcpConnection.TimeoutClass(IpProtocol.Udp, life));
    }
}
