using AzNf.Packets.Parsing;
using static AzNf.Packets.Tests.Parsing.Frames;

namespace AzNf.Packets.Tests.Parsing;

public sealed class PacketParserIPv6Tests
{
    private const byte HopByHop = 0;
    private const byte Routing = 43;
    private const byte FragmentHeader = 44;
    private const byte DestinationOptions = 60;
    private const byte Authentication = 51;
    private const byte NoNextHeader = 59;

    private static readonly byte[] TcpSegment = Tcp(40000, 443, 7, 9, TcpFlags.Ack, payload: [1, 2, 3, 4, 5]);

    [Fact]
    public void Parse_ChainOfExtensionHeaders_WalksToTcp()
    {
        byte[] chain =
        [
            .. Extension(Routing),
            .. Extension(FragmentHeader, units: 2),
            .. Fragment(Authentication, 0, more: false),
            .. AuthenticationHeader(DestinationOptions),
            .. Extension(IpProtocol.Tcp, units: 1),
            .. TcpSegment,
        ];
        var frame = Ipv6(HopByHop, chain);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(IpProtocol.Tcp, packet.Protocol);
        Assert.Equal(40 + 8 + 24 + 8 + 24 + 16, packet.TransportOffset);
        Assert.Equal((40000, 443), (packet.SourcePort, packet.DestinationPort));
        Assert.Equal(5, packet.PayloadLength);
        Assert.True(packet.IsFragment); // an atomic fragment still carries the header
        Assert.False(packet.IsLaterFragment);
    }

    [Fact]
    public void Parse_FirstFragment_DecodesTransport()
    {
        var frame = Ipv6(FragmentHeader, [.. Fragment(IpProtocol.Udp, 0, more: true), .. Udp(1, 2, [1, 2], lengthOverride: 4000)]);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.True(packet.IsFragment);
        Assert.False(packet.IsLaterFragment);
        Assert.Equal((1, 2), (packet.SourcePort, packet.DestinationPort));
    }

    [Fact]
    public void Parse_LaterFragmentWhoseNextHeaderIsAnExtension_StopsAtFragmentHeader()
    {
        // The fragmentable part starts with destination options, which only the first fragment
        // holds: the later fragment's data must not be walked as if it were that header.
        byte[] data = [0xFF, 0xFF, .. new byte[30]];
        var frame = Ipv6(FragmentHeader, [.. Fragment(DestinationOptions, 100, more: false), .. data]);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.True(packet.IsLaterFragment);
        Assert.Equal(DestinationOptions, packet.Protocol);
        Assert.Equal((48, 32), (packet.PayloadOffset, packet.PayloadLength));
        Assert.False(packet.HasTransport);
    }

    [Fact]
    public void Parse_NoNextHeader_GivesEmptyPayloadWithoutTransport()
    {
        var frame = Ipv6(NoNextHeader, []);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(NoNextHeader, packet.Protocol);
        Assert.False(packet.HasTransport);
    }

    [Fact]
    public void Parse_EightExtensionHeaders_IsAccepted()
    {
        var frame = Ipv6(DestinationOptions, [.. ExtensionChain(8, IpProtocol.Tcp), .. TcpSegment]);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out var packet);

        Assert.Equal(MalformedReason.None, reason);
        Assert.Equal(40 + (8 * 8), packet.TransportOffset);
    }

    [Fact]
    public void Parse_NineExtensionHeaders_IsTooMany()
    {
        var frame = Ipv6(DestinationOptions, [.. ExtensionChain(9, IpProtocol.Tcp), .. TcpSegment]);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out _);

        Assert.Equal(MalformedReason.IPv6TooManyExtensions, reason);
    }

    [Fact]
    public void Parse_ExtensionLongerThanPayload_IsExtensionTruncated()
    {
        byte[] header = Extension(IpProtocol.Tcp);
        header[1] = 10; // claims 88 bytes
        var frame = Ipv6(HopByHop, [.. header, .. TcpSegment]);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out _);

        Assert.Equal(MalformedReason.IPv6ExtensionTruncated, reason);
    }

    [Fact]
    public void Parse_PayloadLengthBelowExtensionHeader_IsExtensionTruncated()
    {
        // The frame holds the header, but the IPv6 payload length says it ends before it.
        var frame = Ipv6(HopByHop, [.. Extension(IpProtocol.Tcp), .. TcpSegment], payloadLengthOverride: 4);

        var reason = PacketParser.Parse(LinkType.IPv6, frame, out _);

        Assert.Equal(MalformedReason.IPv6ExtensionTruncated, reason);
    }

    [Fact]
    public void Parse_WrongVersionOnIPv6LinkType_IsBadVersion()
    {
        var frame = Ipv4(IpProtocol.Tcp, TcpSegment);

        var reason = PacketParser.Parse(LinkType.IPv6, [.. frame, .. new byte[20]], out _);

        Assert.Equal(MalformedReason.IpBadVersion, reason);
    }

    private static byte[] ExtensionChain(int count, byte last)
    {
        var chain = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            chain.AddRange(Extension(i == count - 1 ? last : DestinationOptions));
        }
        return [.. chain];
    }
}
