using System.Buffers.Binary;
using AzNf.Generators;
using AzNf.Packets.Parsing;
using AzNf.Packets.Responses;
using AzNf.Packets.Tests.Parsing;

namespace AzNf.Packets.Tests.Responses;

/// <summary>
/// The answers to rejected packets: RFC 9293's reset rules, ICMP/ICMPv6 port unreachable with
/// the quoted datagram, checksums a receiver accepts, and no answer where the RFCs forbid one.
/// Each answer is parsed back with the project's own parser and its checksums recomputed.
/// </summary>
public class RejectPacketTests
{
    private static readonly NetAddress Client = NetAddress.Parse("192.0.2.10");
    private static readonly NetAddress Server = NetAddress.Parse("198.51.100.20");
    private static readonly NetAddress Client6 = NetAddress.Parse("2001:db8::10");
    private static readonly NetAddress Server6 = NetAddress.Parse("2001:db8::20");

    [Fact]
    public void Build_SegmentWithAck_ResetTakesItsSequenceFromTheAck()
    {
        var frame = PacketBuilder.Tcp(Client, 40000, Server, 80, TcpFlags.Ack | TcpFlags.Psh, 1000, 5000, "GET / HTTP/1.1\r\n\r\n"u8);

        var (answer, parsed) = Answer(frame, toSource: true);

        Assert.Equal(Server, parsed.Source);
        Assert.Equal(Client, parsed.Destination);
        Assert.Equal((ushort)80, parsed.SourcePort);
        Assert.Equal((ushort)40000, parsed.DestinationPort);
        Assert.Equal(TcpFlags.Rst, parsed.TcpFlags);
        Assert.Equal(5000u, parsed.TcpSequence);
        Assert.Equal(0u, parsed.TcpAcknowledgment);
        Assert.Equal(0, parsed.PayloadLength);
        AssertTcpChecksumValid(answer, parsed);
    }

    [Fact]
    public void Build_SynWithoutAck_ResetAcknowledgesTheSyn()
    {
        var frame = PacketBuilder.Tcp(Client, 40000, Server, 23, TcpFlags.Syn, 0xFFFF_FFFF, 0);

        var (answer, parsed) = Answer(frame, toSource: true);

        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, parsed.TcpFlags);
        Assert.Equal(0u, parsed.TcpSequence);
        Assert.Equal(0u, parsed.TcpAcknowledgment); // 0xFFFFFFFF + 1 wraps, as sequence numbers do
        AssertTcpChecksumValid(answer, parsed);
    }

    [Fact]
    public void Build_ToDestination_ResetInTheSendersNameAtTheNextSequence()
    {
        var frame = PacketBuilder.Tcp(Client6, 40000, Server6, 443, TcpFlags.Ack | TcpFlags.Fin, 7000, 9000, "abc"u8);

        var (answer, parsed) = Answer(frame, toSource: false);

        Assert.Equal(Client6, parsed.Source);
        Assert.Equal(Server6, parsed.Destination);
        Assert.Equal((ushort)40000, parsed.SourcePort);
        Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, parsed.TcpFlags);
        Assert.Equal(7000u + 3 + 1, parsed.TcpSequence); // payload and FIN
        Assert.Equal(9000u, parsed.TcpAcknowledgment);
        AssertTcpChecksumValid(answer, parsed);
        // In the sender's name: the Ethernet addresses stay as they were.
        Assert.Equal(frame.AsSpan(0, 12).ToArray(), answer.AsSpan(0, 12).ToArray());
    }

    [Fact]
    public void Build_ToSource_SwapsTheEthernetAddresses()
    {
        var frame = PacketBuilder.Tcp(Client, 1, Server, 2, TcpFlags.Ack, 1, 2);

        var (answer, _) = Answer(frame, toSource: true);

        Assert.Equal(frame.AsSpan(6, 6).ToArray(), answer.AsSpan(0, 6).ToArray());
        Assert.Equal(frame.AsSpan(0, 6).ToArray(), answer.AsSpan(6, 6).ToArray());
    }

    [Fact]
    public void Build_UdpOverIPv4_PortUnreachableQuotingTheDatagram()
    {
        var frame = PacketBuilder.Udp(Client, 5353, Server, 53, new byte[100]);

        var (answer, parsed) = Answer(frame, toSource: true);

        Assert.Equal(IpProtocol.Icmp, parsed.Protocol);
        Assert.Equal((3, 3), (parsed.IcmpType, parsed.IcmpCode));
        Assert.Equal(Server, parsed.Source);
        Assert.Equal(Client, parsed.Destination);
        var icmp = answer.AsSpan(parsed.TransportOffset);
        // The whole rejected datagram fits in 576 bytes, so all of it is quoted.
        Assert.Equal(frame.AsSpan(14).ToArray(), icmp[8..].ToArray());
        Assert.Equal(0xFFFF, Fold(icmp, 0));
        Assert.Equal(0xFFFF, Fold(answer.AsSpan(14, 20), 0));
    }

    [Fact]
    public void Build_LongUdpOverIPv4_QuotesNoMoreThan576BytesInAll()
    {
        var frame = PacketBuilder.Udp(Client, 5353, Server, 53, new byte[1400]);

        var (answer, _) = Answer(frame, toSource: true);

        Assert.Equal(14 + 576, answer.Length);
        Assert.Equal(576, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(14 + 2)));
    }

    [Fact]
    public void Build_UdpOverIPv6_Icmpv6PortUnreachableWithThePseudoHeaderChecksum()
    {
        var frame = PacketBuilder.Udp(Client6, 5353, Server6, 53, new byte[1400]);

        var (answer, parsed) = Answer(frame, toSource: true);

        Assert.Equal(IpProtocol.IcmpV6, parsed.Protocol);
        Assert.Equal((1, 4), (parsed.IcmpType, parsed.IcmpCode));
        Assert.Equal(14 + 1280, answer.Length); // the IPv6 minimum MTU, as RFC 4443 §2.4 asks
        var ip = answer.AsSpan(14);
        var icmp = answer.AsSpan(parsed.TransportOffset);
        Assert.Equal(0xFFFF, Fold(icmp, InternetChecksum.PseudoHeaderSum(ip, v4: false, IpProtocol.IcmpV6, icmp.Length)));
        Assert.Equal(frame.AsSpan(14, 1232).ToArray(), icmp[8..].ToArray());
    }

    [Fact]
    public void Build_VlanTaggedFrame_KeepsTheTags()
    {
        var ip = Frames.Ipv4(IpProtocol.Udp, Frames.Udp(1000, 2000, new byte[8]));
        var frame = Frames.Ethernet(Frames.EtherTypeIPv4, ip, 0x8100);

        var (answer, parsed) = Answer(frame, toSource: true);

        Assert.Equal(18, parsed.NetworkOffset);
        Assert.Equal(frame.AsSpan(12, 6).ToArray(), answer.AsSpan(12, 6).ToArray());
        Assert.Equal(IpProtocol.Icmp, parsed.Protocol);
    }

    [Theory]
    [InlineData("reset")]
    [InlineData("icmp-error")]
    [InlineData("icmpv6-error")]
    [InlineData("later-fragment")]
    [InlineData("broadcast")]
    [InlineData("multicast")]
    [InlineData("udp-to-destination")]
    public void Build_WhereTheRfcsForbidAnAnswer_BuildsNone(string kind)
    {
        byte[] frame = kind switch
        {
            "reset" => PacketBuilder.Tcp(Client, 1, Server, 2, TcpFlags.Rst | TcpFlags.Ack, 1, 2),
            "icmp-error" => Frames.Ethernet(Frames.EtherTypeIPv4, Frames.Ipv4(IpProtocol.Icmp, Frames.Icmp(3, 1, 0, 0, new byte[28]))),
            "icmpv6-error" => Frames.Ethernet(Frames.EtherTypeIPv6, Frames.Ipv6(IpProtocol.IcmpV6, Frames.Icmp(1, 0, 0, 0, new byte[48]))),
            "later-fragment" => Frames.Ethernet(Frames.EtherTypeIPv4, Frames.Ipv4(IpProtocol.Udp, new byte[16], fragmentField: 2)),
            "broadcast" => PacketBuilder.Udp(Client, 68, NetAddress.Parse("255.255.255.255"), 67),
            "multicast" => PacketBuilder.Udp(Client6, 5353, NetAddress.Parse("ff02::fb"), 5353),
            _ => PacketBuilder.Udp(Client, 1, Server, 2),
        };
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, frame, out var packet));

        Assert.Equal(0, RejectPacket.Build(frame, in packet, toSource: kind != "udp-to-destination", new byte[RejectPacket.MaxLength]));
    }

    [Fact]
    public void Build_RawIpLink_AnswersWithoutALinkHeader()
    {
        var ip = Frames.Ipv4(IpProtocol.Tcp, Frames.Tcp(1000, 80, sequence: 1, acknowledgment: 2, TcpFlags.Ack));
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Raw, ip, out var packet));
        var buffer = new byte[RejectPacket.MaxLength];

        int length = RejectPacket.Build(ip, in packet, toSource: true, buffer);

        Assert.Equal(40, length);
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Raw, buffer.AsSpan(0, length), out var parsed));
        Assert.Equal(TcpFlags.Rst, parsed.TcpFlags);
        Assert.Equal(2u, parsed.TcpSequence);
    }

    private static (byte[] Answer, ParsedPacket Parsed) Answer(byte[] frame, bool toSource)
    {
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, frame, out var packet));
        var buffer = new byte[RejectPacket.MaxLength];
        int length = RejectPacket.Build(frame, in packet, toSource, buffer);
        Assert.True(length > 0, "an answer was expected");
        var answer = buffer.AsSpan(0, length).ToArray();
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, answer, out var parsed));
        Assert.False(parsed.IsCaptureTruncated);
        return (answer, parsed);
    }

    private static void AssertTcpChecksumValid(byte[] answer, in ParsedPacket parsed)
    {
        bool v4 = parsed.IpVersion == 4;
        var ip = answer.AsSpan(parsed.NetworkOffset);
        var tcp = answer.AsSpan(parsed.TransportOffset);
        Assert.Equal(0xFFFF, Fold(tcp, InternetChecksum.PseudoHeaderSum(ip, v4, IpProtocol.Tcp, tcp.Length)));
        if (v4)
        {
            Assert.Equal(0xFFFF, Fold(ip[..20], 0));
        }
    }

    /// <summary>The one's-complement sum itself: 0xFFFF over data that carries a valid checksum.</summary>
    private static int Fold(ReadOnlySpan<byte> data, uint initial) => (ushort)~InternetChecksum.Compute(data, initial);
}
