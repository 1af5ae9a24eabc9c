using AzNf.Packets.Parsing;
using static AzNf.Packets.Tests.Parsing.Frames;

namespace AzNf.Packets.Tests.Parsing;

public sealed class PacketParserTransportTests
{
    [Theory]
    [InlineData(TcpFlags.Syn)]
    [InlineData(TcpFlags.Syn | TcpFlags.Ack)]
    [InlineData(TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Urg)]
    [InlineData(TcpFlags.Rst | TcpFlags.Ack)]
    [InlineData(TcpFlags.Ece | TcpFlags.Cwr | TcpFlags.Syn)]
    [InlineData(TcpFlags.None)]
    public void Parse_TcpFlagsSeqAck_DecodedExactly(TcpFlags flags)
    {
        var frame = Ipv4(IpProtocol.Tcp, Tcp(65535, 1, 0xFEDCBA98, 0x01234567, flags, window: 0xABCD));

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(flags, packet.TcpFlags);
        Assert.Equal(0xFEDCBA98u, packet.TcpSequence);
        Assert.Equal(0x01234567u, packet.TcpAcknowledgment);
        Assert.Equal(0xABCD, packet.TcpWindow);
        Assert.Equal((65535, 1), (packet.SourcePort, packet.DestinationPort));
    }

    [Fact]
    public void Parse_TcpOptions_SkippedToPayload()
    {
        // MSS, SACK-permitted, timestamps, NOP, window scale: the usual SYN set, 20 bytes.
        byte[] options = [2, 4, 5, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
        byte[] payload = "GET / HTTP/1.1\r\n"u8.ToArray();
        var frame = Ipv4(IpProtocol.Tcp, Tcp(1, 2, 3, 4, TcpFlags.Psh | TcpFlags.Ack, options, payload));

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(20, packet.TransportOffset);
        Assert.Equal(20 + 40, packet.PayloadOffset);
        Assert.Equal(payload, frame.AsSpan(packet.PayloadOffset, packet.PayloadLength).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Parse_TcpDataOffsetBelowFive_IsBadDataOffset(int words)
    {
        var frame = Ipv4(IpProtocol.Tcp, Tcp(1, 2, 3, 4, TcpFlags.Ack, payload: new byte[40], dataOffsetWordsOverride: words));

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out _);

        Assert.Equal(MalformedReason.TcpBadDataOffset, reason);
    }

    [Fact]
    public void Parse_TcpDataOffsetBeyondCompleteDatagram_IsBadDataOffset()
    {
        var frame = Ipv4(IpProtocol.Tcp, Tcp(1, 2, 3, 4, TcpFlags.Ack, payload: [1, 2], dataOffsetWordsOverride: 15));

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out _);

        Assert.Equal(MalformedReason.TcpBadDataOffset, reason);
    }

    [Fact]
    public void Parse_TcpDataOffsetBeyondSnappedCapture_IsTruncated()
    {
        var full = Ipv4(IpProtocol.Tcp, Tcp(1, 2, 3, 4, TcpFlags.Syn, options: new byte[20]));

        var reason = PacketParser.Parse(LinkType.IPv4, full.AsSpan(0, 50), out var packet);

        Assert.Equal(MalformedReason.TcpTruncated, reason);
        Assert.True(packet.IsCaptureTruncated);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(13)] // more than the IP payload holds
    public void Parse_UdpBadLength_IsBadLength(int length)
    {
        var frame = Ipv6(IpProtocol.Udp, Udp(1, 2, [1, 2, 3, 4], lengthOverride: length));

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out _);

        Assert.Equal(MalformedReason.UdpBadLength, reason);
    }

    [Fact]
    public void Parse_UdpLengthShorterThanIpPayload_PayloadFollowsUdpLength()
    {
        var frame = Ipv4(IpProtocol.Udp, Udp(1, 2, [1, 2, 3, 4, 5, 6], lengthOverride: 10));

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(2, packet.PayloadLength);
    }

    [Theory]
    [InlineData(8, true)]
    [InlineData(0, true)]
    [InlineData(3, false)] // destination unreachable: no identifier
    [InlineData(11, false)]
    public void Parse_IcmpV4_IdOnlyForEcho(byte type, bool echo)
    {
        var frame = Ipv4(IpProtocol.Icmp, Icmp(type, 0, 0x4242, 9, new byte[8]));

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(type, packet.IcmpType);
        Assert.Equal(echo ? 0x4242 : 0, packet.IcmpId);
        Assert.True(packet.IsIcmp);
        Assert.Equal(8, packet.PayloadLength);
    }

    [Theory]
    [InlineData(128, true)]
    [InlineData(129, true)]
    [InlineData(135, false)] // neighbour solicitation
    [InlineData(1, false)]
    public void Parse_IcmpV6_IdOnlyForEcho(byte type, bool echo)
    {
        var frame = Ipv6(IpProtocol.IcmpV6, Icmp(type, 0, 0x0777, 1));

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(type, packet.IcmpType);
        Assert.Equal(echo ? 0x0777 : 0, packet.IcmpId);
    }

    [Fact]
    public void Parse_ShortIcmpV6_IsIcmpV6Truncated()
    {
        var frame = Ipv6(IpProtocol.IcmpV6, [128, 0, 0, 0]);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out _);

        Assert.Equal(MalformedReason.IcmpV6Truncated, reason);
    }
}
