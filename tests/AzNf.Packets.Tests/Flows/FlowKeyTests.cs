using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using static AzNf.Packets.Tests.Parsing.Frames;

namespace AzNf.Packets.Tests.Flows;

public sealed class FlowKeyTests
{
    [Theory]
    [InlineData("10.0.0.1", "10.0.0.2", IpProtocol.Tcp)]
    [InlineData("10.0.0.2", "10.0.0.1", IpProtocol.Udp)]
    [InlineData("2001:db8::2", "2001:db8::1", IpProtocol.Tcp)]
    [InlineData("10.9.9.9", "2001:db8::1", IpProtocol.Udp)]
    public void From_BothDirections_SameKeyAndHash(string a, string b, byte protocol)
    {
        var forward = Packet(a, 40000, b, 80, protocol);
        var backward = Packet(b, 80, a, 40000, protocol);

        var keyForward = FlowKey.From(forward, out bool forwardIsLower);
        var keyBackward = FlowKey.From(backward, out bool backwardIsLower);

        Assert.Equal(keyForward, keyBackward);
        Assert.Equal(keyForward.StableHash, keyBackward.StableHash);
        Assert.Equal(keyForward.ToString(), keyBackward.ToString());
        Assert.NotEqual(forwardIsLower, backwardIsLower);
    }

    [Fact]
    public void ToString_Tcp_LowerEndpointFirst()
    {
        var key = FlowKey.From(Packet("10.0.0.2", 80, "10.0.0.1", 1234, IpProtocol.Tcp), out bool sourceIsLower);

        Assert.Equal("tcp 10.0.0.1:1234 <-> 10.0.0.2:80", key.ToString());
        Assert.False(sourceIsLower);
    }

    [Fact]
    public void ToString_IPv6_AddressesInBrackets()
    {
        var key = FlowKey.From(Packet("2001:db8::2", 5353, "2001:db8::1", 53, IpProtocol.Udp), out _);

        Assert.Equal("udp [2001:db8::1]:53 <-> [2001:db8::2]:5353", key.ToString());
    }

    [Fact]
    public void ToString_IcmpEcho_KeysOnIdentifier()
    {
        var request = Parse(LinkType.IPv4, Ipv4(IpProtocol.Icmp, Icmp(8, 0, 77, 1), source: "10.0.0.9", destination: "10.0.0.3"));
        var reply = Parse(LinkType.IPv4, Ipv4(IpProtocol.Icmp, Icmp(0, 0, 77, 1), source: "10.0.0.3", destination: "10.0.0.9"));

        var key = FlowKey.From(request, out _);

        Assert.Equal("icmp 10.0.0.3 <-> 10.0.0.9 id 77", key.ToString());
        Assert.Equal(key, FlowKey.From(reply, out _));
    }

    [Fact]
    public void From_IcmpEchoWithDifferentIds_DifferentKeys()
    {
        var one = Parse(LinkType.IPv6, Ipv6(IpProtocol.IcmpV6, Icmp(128, 0, 1, 1)));
        var two = Parse(LinkType.IPv6, Ipv6(IpProtocol.IcmpV6, Icmp(128, 0, 2, 1)));

        Assert.NotEqual(FlowKey.From(one, out _), FlowKey.From(two, out _));
    }

    [Fact]
    public void From_SameAddressBothSides_OrdersByPort()
    {
        var key = FlowKey.From(Packet("127.0.0.1", 8080, "127.0.0.1", 50000, IpProtocol.Tcp), out bool sourceIsLower);

        Assert.Equal("tcp 127.0.0.1:8080 <-> 127.0.0.1:50000", key.ToString());
        Assert.True(sourceIsLower);
    }

    [Fact]
    public void Ordering_IPv4BeforeGlobalIPv6_ButAfterLoopbackIPv6()
    {
        // IPv4 is held as ::ffff:a.b.c.d, so it sorts between ::1 and 2000::/3.
        var v4 = NetAddress.Parse("255.255.255.255");

        Assert.True(v4.CompareTo(NetAddress.Parse("2001:db8::1")) < 0);
        Assert.True(NetAddress.Parse("::1").CompareTo(v4) < 0);
        Assert.Equal(
            "tcp 10.0.0.1:1 <-> [2001:db8::1]:2",
            FlowKey.From(Packet("2001:db8::1", 2, "10.0.0.1", 1, IpProtocol.Tcp), out _).ToString());
    }

    [Fact]
    public void StableHash_KnownKey_NeverChanges()
    {
        // The hash picks the Event Hubs partition of every flow and names its durable entity:
        // changing it would split live flows across partitions and orphan stored state. The
        // expected values were computed once by an independent Python re-implementation of the
        // documented mixing (xxHash64 primes, rounds over the protocol, the four address halves
        // and the two ports, avalanche); they must never be edited to make this test pass.
        var v4 = FlowKey.From(Packet("10.0.0.2", 80, "10.0.0.1", 1234, IpProtocol.Tcp), out _);
        var v6 = FlowKey.From(Packet("2001:db8::1", 53, "2001:db8::2", 5353, IpProtocol.Udp), out _);

        Assert.Equal(0x64E85A979AF89D91UL, v4.StableHash);
        Assert.Equal(0x4C7E378CEAEE7104UL, v6.StableHash);
        Assert.Equal((int)(0x64E85A979AF89D91UL % 32), v4.PartitionOf(32));
    }

    [Fact]
    public void From_LaterFragment_KeysWithoutPorts()
    {
        var packet = Parse(LinkType.IPv4, Ipv4(IpProtocol.Udp, new byte[16], fragmentField: 100));

        var key = FlowKey.From(packet, out _);

        Assert.Equal((0, 0), (key.LowerPort, key.UpperPort));
    }

    [Fact]
    public void StableHash_DifferentProtocolSameEndpoints_Differs()
    {
        var tcp = FlowKey.From(Packet("10.0.0.1", 1, "10.0.0.2", 2, IpProtocol.Tcp), out _);
        var udp = FlowKey.From(Packet("10.0.0.1", 1, "10.0.0.2", 2, IpProtocol.Udp), out _);

        Assert.NotEqual(tcp.StableHash, udp.StableHash);
    }

    private static ParsedPacket Packet(string source, ushort sourcePort, string destination, ushort destinationPort, byte protocol)
    {
        bool v6 = source.Contains(':', StringComparison.Ordinal) || destination.Contains(':', StringComparison.Ordinal);
        byte[] transport = protocol == IpProtocol.Tcp
            ? Tcp(sourcePort, destinationPort, 1, 0, TcpFlags.Syn)
            : Udp(sourcePort, destinationPort);
        if (!v6)
        {
            return Parse(LinkType.IPv4, Ipv4(protocol, transport, source: source, destination: destination));
        }
        // Mixed families never share a packet; build the IPv6 one with the IPv4 side mapped.
        string Six(string a) => a.Contains(':', StringComparison.Ordinal) ? a : "::ffff:" + a;
        return Parse(LinkType.IPv6, Ipv6(protocol, transport, Six(source), Six(destination)));
    }

    private static ParsedPacket Parse(LinkType linkType, byte[] frame)
    {
        Assert.Equal(MalformedReason.None, PacketParser.Parse(linkType, frame, out var packet));
        return packet;
    }
}
