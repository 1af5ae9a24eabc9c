using AzNf.Packets.Parsing;
using static AzNf.Packets.Tests.Parsing.Frames;

namespace AzNf.Packets.Tests.Parsing;

public sealed class PacketParserIPv4Tests
{
    private static readonly byte[] UdpSegment = Udp(1000, 53, [1, 2, 3, 4]);

    public static TheoryData<string, byte[]> ValidOptions() => new()
    {
        { "NOP NOP NOP EOL", [1, 1, 1, 0] },
        { "record route, 3 slots + EOL", [7, 15, 4, .. new byte[12], 0] },
        { "router alert", [148, 4, 0, 0] },
        { "EOL then garbage padding", [0, 0xFF, 0xFF, 0xFF] },
        { "timestamp filling 40 bytes", [68, 40, 5, 0, .. new byte[36]] },
    };

    [Theory]
    [MemberData(nameof(ValidOptions))]
    public void Parse_ValidOptions_SkipsThemToTransport(string name, byte[] options)
    {
        var frame = Ipv4(IpProtocol.Udp, UdpSegment, options);

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.True(reason == MalformedReason.None, name);
        Assert.Equal(20 + options.Length, packet.TransportOffset);
        Assert.Equal((1000, 53), (packet.SourcePort, packet.DestinationPort));
        Assert.Equal(4, packet.PayloadLength);
    }

    public static TheoryData<string, byte[]> InvalidOptions() => new()
    {
        { "length 0", [130, 0, 0, 0] },
        { "length 1", [130, 1, 0, 0] },
        { "overruns header", [7, 12, 4, 0] },
        { "kind without length byte", [1, 1, 1, 7] },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Parse_InvalidOptions_IsBadOption(string name, byte[] options)
    {
        var frame = Ipv4(IpProtocol.Udp, UdpSegment, options);

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out _);

        Assert.True(reason == MalformedReason.IPv4BadOption, $"{name}: {reason}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Parse_IhlBelowFive_IsBadIhl(int ihl)
    {
        var frame = Ipv4(IpProtocol.Udp, UdpSegment, ihlOverride: ihl);

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out _);

        Assert.Equal(MalformedReason.IPv4BadIhl, reason);
    }

    [Fact]
    public void Parse_TotalLengthBelowHeader_IsBadTotalLength()
    {
        var frame = Ipv4(IpProtocol.Udp, UdpSegment, totalLengthOverride: 19);

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out _);

        Assert.Equal(MalformedReason.IPv4BadTotalLength, reason);
    }

    [Fact]
    public void Parse_TotalLengthAboveCaptured_MarksCaptureTruncated()
    {
        var frame = Ipv4(IpProtocol.Udp, UdpSegment, totalLengthOverride: 1500);

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.True(packet.IsCaptureTruncated);
        Assert.Equal(4, packet.PayloadLength);
    }

    [Fact]
    public void Parse_FirstFragment_DecodesTransportAndMarksFragment()
    {
        // More-fragments set, offset 0; the UDP length covers the whole datagram, not this fragment.
        var frame = Ipv4(IpProtocol.Udp, Udp(1000, 53, [1, 2, 3, 4], lengthOverride: 3000), fragmentField: 0x2000);

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.True(packet.IsFragment);
        Assert.False(packet.IsLaterFragment);
        Assert.True(packet.HasTransport);
        Assert.Equal((1000, 53), (packet.SourcePort, packet.DestinationPort));
    }

    [Theory]
    [InlineData(0x2000 | 185)] // more fragments, offset 1480 bytes
    [InlineData(185)] // last fragment
    public void Parse_LaterFragment_HasNoTransportHeader(int fragmentField)
    {
        byte[] data = [.. Enumerable.Range(0, 24).Select(i => (byte)i)];
        var frame = Ipv4(IpProtocol.Tcp, data, fragmentField: (ushort)fragmentField);

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.True(packet.IsFragment);
        Assert.True(packet.IsLaterFragment);
        Assert.False(packet.HasTransport);
        Assert.Equal(IpProtocol.Tcp, packet.Protocol);
        Assert.Equal((20, 24), (packet.PayloadOffset, packet.PayloadLength));
        Assert.Equal((0, 0), (packet.SourcePort, packet.DestinationPort));
    }

    [Fact]
    public void Parse_DontFragmentBit_IsNotAFragment()
    {
        var frame = Ipv4(IpProtocol.Udp, UdpSegment, fragmentField: 0x4000);

        PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.False(packet.IsFragment);
    }

    [Fact]
    public void Parse_OtherProtocol_GivesPayloadWithoutTransport()
    {
        var frame = Ipv4(47, [0, 0, 0x08, 0x00, 1, 2]); // GRE

        var reason = PacketParser.Parse(LinkType.IPv4, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(47, packet.Protocol);
        Assert.False(packet.HasTransport);
        Assert.Equal((20, 6), (packet.PayloadOffset, packet.PayloadLength));
    }
}
