using AzNf.Packets.Parsing;
using static AzNf.Packets.Tests.Parsing.Frames;

namespace AzNf.Packets.Tests.Parsing;

public sealed class PacketParserLinkTests
{
    private static readonly byte[] TcpV4 = Ipv4(IpProtocol.Tcp, Tcp(1234, 80, 1000, 2000, TcpFlags.Syn, payload: [1, 2, 3]));
    private static readonly byte[] UdpV6 = Ipv6(IpProtocol.Udp, Udp(5353, 53, [9, 9]));

    public static TheoryData<string, LinkType, byte[], int> FramesOfEveryLinkType()
    {
        var data = new TheoryData<string, LinkType, byte[], int>
        {
            { "ethernet v4", LinkType.Ethernet, Ethernet(EtherTypeIPv4, TcpV4), 14 },
            { "ethernet v6", LinkType.Ethernet, Ethernet(EtherTypeIPv6, UdpV6), 14 },
            { "802.1Q v4", LinkType.Ethernet, Ethernet(EtherTypeIPv4, TcpV4, 0x8100), 18 },
            { "802.1Q v6", LinkType.Ethernet, Ethernet(EtherTypeIPv6, UdpV6, 0x8100), 18 },
            { "QinQ 88a8+8100 v4", LinkType.Ethernet, Ethernet(EtherTypeIPv4, TcpV4, 0x88A8, 0x8100), 22 },
            { "QinQ 88a8+8100 v6", LinkType.Ethernet, Ethernet(EtherTypeIPv6, UdpV6, 0x88A8, 0x8100), 22 },
            { "legacy QinQ 9100+8100", LinkType.Ethernet, Ethernet(EtherTypeIPv4, TcpV4, 0x9100, 0x8100), 22 },
            { "raw 101 v4", LinkType.Raw, TcpV4, 0 },
            { "raw 101 v6", LinkType.Raw, UdpV6, 0 },
            { "raw 12 v4", LinkType.RawAlt12, TcpV4, 0 },
            { "raw 14 v6", LinkType.RawAlt14, UdpV6, 0 },
            { "ipv4 228", LinkType.IPv4, TcpV4, 0 },
            { "ipv6 229", LinkType.IPv6, UdpV6, 0 },
            { "sll v4", LinkType.LinuxSll, Sll(EtherTypeIPv4, TcpV4), 16 },
            { "sll v6", LinkType.LinuxSll, Sll(EtherTypeIPv6, UdpV6), 16 },
            { "sll with an unstripped 802.1Q tag", LinkType.LinuxSll, Sll(0x8100, [0, 100, 0x08, 0x00, .. TcpV4]), 20 },
            { "sll2 v4", LinkType.LinuxSll2, Sll2(EtherTypeIPv4, TcpV4), 20 },
            { "sll2 with an unstripped 802.1Q tag", LinkType.LinuxSll2, Sll2(0x8100, [0, 100, 0x86, 0xDD, .. UdpV6]), 24 },
            { "sll2 v6", LinkType.LinuxSll2, Sll2(EtherTypeIPv6, UdpV6), 20 },
            { "null le AF_INET", LinkType.Null, Loopback(2, littleEndian: true, TcpV4), 4 },
            { "null be AF_INET", LinkType.Null, Loopback(2, littleEndian: false, TcpV4), 4 },
            { "loop AF_INET", LinkType.Loop, Loopback(2, littleEndian: false, TcpV4), 4 },
        };
        foreach (uint family in new uint[] { 10, 24, 28, 30 })
        {
            data.Add($"null le AF_INET6={family}", LinkType.Null, Loopback(family, littleEndian: true, UdpV6), 4);
            data.Add($"null be AF_INET6={family}", LinkType.Null, Loopback(family, littleEndian: false, UdpV6), 4);
            data.Add($"loop AF_INET6={family}", LinkType.Loop, Loopback(family, littleEndian: false, UdpV6), 4);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FramesOfEveryLinkType))]
    public void Parse_EveryLinkType_FindsIpAndTransport(string name, LinkType linkType, byte[] frame, int networkOffset)
    {
        var reason = PacketParser.Parse(linkType, frame, out var packet);

        Assert.True(reason == MalformedReason.None, name);
        Assert.Equal(networkOffset, packet.NetworkOffset);
        if (packet.IpVersion == 4)
        {
            Assert.Equal(NetAddress.Parse("10.0.0.1"), packet.Source);
            Assert.Equal(NetAddress.Parse("10.0.0.2"), packet.Destination);
            Assert.Equal(IpProtocol.Tcp, packet.Protocol);
            Assert.Equal((1234, 80), (packet.SourcePort, packet.DestinationPort));
            Assert.Equal(networkOffset + 20, packet.TransportOffset);
            Assert.Equal(3, packet.PayloadLength);
        }
        else
        {
            Assert.Equal(6, packet.IpVersion);
            Assert.Equal(NetAddress.Parse("2001:db8::1"), packet.Source);
            Assert.Equal(NetAddress.Parse("2001:db8::2"), packet.Destination);
            Assert.Equal(IpProtocol.Udp, packet.Protocol);
            Assert.Equal((5353, 53), (packet.SourcePort, packet.DestinationPort));
            Assert.Equal(networkOffset + 40, packet.TransportOffset);
            Assert.Equal(2, packet.PayloadLength);
        }
    }

    [Fact]
    public void Parse_EthernetPadding_IpTotalLengthWins()
    {
        var small = Ethernet(EtherTypeIPv4, Ipv4(IpProtocol.Udp, Udp(1, 2, [7])));
        byte[] padded = [.. small, .. new byte[60 - small.Length], 0xDE, 0xAD, 0xBE, 0xEF]; // minimum frame plus an FCS

        var reason = PacketParser.Parse(LinkType.Ethernet, padded, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(1, packet.PayloadLength);
        Assert.False(packet.IsCaptureTruncated);
    }

    [Fact]
    public void Parse_EthernetPaddingAfterIPv6_PayloadLengthWins()
    {
        var frame = Ethernet(EtherTypeIPv6, Ipv6(IpProtocol.Tcp, Tcp(1, 2, 0, 0, TcpFlags.Ack)));
        byte[] padded = [.. frame, 0, 0, 0, 0, 0, 0];

        var reason = PacketParser.Parse(LinkType.Ethernet, padded, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(0, packet.PayloadLength);
    }

    [Fact]
    public void Parse_Arp_IsNotIp()
    {
        var frame = Ethernet(EtherTypeArp, new byte[28]);

        var reason = PacketParser.Parse(LinkType.Ethernet, frame, out _);

        Assert.Equal(MalformedReason.NotIp, reason);
    }

    [Fact]
    public void Parse_FiveVlanTags_IsTooDeep()
    {
        var frame = Ethernet(EtherTypeIPv4, TcpV4, 0x88A8, 0x8100, 0x8100, 0x8100, 0x8100);

        var reason = PacketParser.Parse(LinkType.Ethernet, frame, out _);

        Assert.Equal(MalformedReason.VlanTooDeep, reason);
    }

    [Fact]
    public void Parse_UnknownLoopbackFamily_IsNotIp()
    {
        var frame = Loopback(7, littleEndian: true, TcpV4);

        var reason = PacketParser.Parse(LinkType.Null, frame, out _);

        Assert.Equal(MalformedReason.NotIp, reason);
    }

    [Fact]
    public void Parse_UnsupportedLinkType_SaysSo()
    {
        var reason = PacketParser.Parse((LinkType)105, TcpV4, out _); // IEEE 802.11

        Assert.Equal(MalformedReason.LinkUnsupported, reason);
    }

    [Theory]
    [InlineData(LinkType.Raw)]
    [InlineData(LinkType.IPv4)]
    public void Parse_RawFrameWithWrongVersion_IsBadVersion(LinkType linkType)
    {
        byte[] frame = [.. TcpV4];
        frame[0] = 0x55;

        var reason = PacketParser.Parse(linkType, frame, out _);

        Assert.Equal(MalformedReason.IpBadVersion, reason);
    }
}
