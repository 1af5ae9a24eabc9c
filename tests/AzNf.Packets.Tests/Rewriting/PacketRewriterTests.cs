using System.Buffers.Binary;
using AzNf.Generators;
using AzNf.Packets.Parsing;
using AzNf.Packets.Rewriting;

namespace AzNf.Packets.Tests.Rewriting;

/// <summary>
/// In-place address and port translation: the rewritten frame must equal, byte for byte, the
/// frame built from scratch with the new header (every checksum computed in full), so an
/// incremental adjustment that is off by one carry fails here.
/// </summary>
public class PacketRewriterTests
{
    private static readonly NetAddress Inside = NetAddress.Parse("10.1.2.3");
    private static readonly NetAddress Outside = NetAddress.Parse("203.0.113.77");
    private static readonly NetAddress Remote = NetAddress.Parse("198.51.100.20");

    public static TheoryData<string> Payloads => ["", "x", "GET / HTTP/1.1\r\nHost: example\r\n\r\n", new string('\xff', 301)];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void TranslateSource_Tcp_EqualsTheFrameBuiltWithTheNewSource(string payload)
    {
        byte[] body = payload.Select(c => (byte)c).ToArray();
        var frame = PacketBuilder.Tcp(Inside, 40000, Remote, 443, TcpFlags.Ack | TcpFlags.Psh, 0xFFFF_0001, 77, body);
        var expected = PacketBuilder.Tcp(Outside, 61001, Remote, 443, TcpFlags.Ack | TcpFlags.Psh, 0xFFFF_0001, 77, body);

        var parsed = Translate(frame, source: true, Outside, 61001);

        Assert.Equal(expected, frame);
        Assert.Equal(Outside, parsed.Source);
        Assert.Equal((ushort)61001, parsed.SourcePort);
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, frame, out var again));
        Assert.Equal(again.Source, parsed.Source);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void TranslateDestination_Udp_EqualsTheFrameBuiltWithTheNewDestination(string payload)
    {
        byte[] body = payload.Select(c => (byte)c).ToArray();
        var frame = PacketBuilder.Udp(Remote, 53, Outside, 61002, body);
        var expected = PacketBuilder.Udp(Remote, 53, Inside, 5353, body);

        var parsed = Translate(frame, source: false, Inside, 5353);

        Assert.Equal(expected, frame);
        Assert.Equal(Inside, parsed.Destination);
        Assert.Equal((ushort)5353, parsed.DestinationPort);
    }

    [Fact]
    public void TranslateSource_UdpWithoutChecksum_KeepsTheChecksumZero()
    {
        var frame = PacketBuilder.Udp(Inside, 4000, Remote, 53, "q"u8);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 20 + 6), 0);

        Translate(frame, source: true, Outside, 1024);

        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 20 + 6)));
        var ip = frame.AsSpan(14, 20);
        Assert.Equal(0, InternetChecksum.Compute(ip, 0)); // the IP header's own checksum still verifies
    }

    [Fact]
    public void TranslateSource_IcmpEcho_ChangesTheIdentifierAndItsChecksum()
    {
        var frame = PacketBuilder.IcmpEcho(Inside, Remote, request: true, id: 7, sequence: 1, "ping"u8);
        var expected = PacketBuilder.IcmpEcho(Outside, Remote, request: true, id: 40007, sequence: 1, "ping"u8);

        var parsed = Translate(frame, source: true, Outside, 40007);

        Assert.Equal(expected, frame);
        Assert.Equal((ushort)40007, parsed.IcmpId);
    }

    [Fact]
    public void TranslateSource_FrameCutBySnapLength_GivesThePrefixOfTheWholeFramesRewrite()
    {
        var whole = PacketBuilder.Tcp(Inside, 40000, Remote, 80, TcpFlags.Ack, 1, 1, new byte[900]);
        var cut = whole.AsSpan(0, 14 + 20 + 20 + 10).ToArray();

        Translate(whole, source: true, Outside, 50000);
        Translate(cut, source: true, Outside, 50000);

        Assert.Equal(whole.AsSpan(0, cut.Length).ToArray(), cut);
    }

    [Fact]
    public void TranslateSource_LaterFragment_ChangesOnlyTheIpHeader()
    {
        var datagram = PacketBuilder.Udp(Inside, 4000, Remote, 9000, new byte[64]);
        var fragments = PacketBuilder.FragmentIPv4(datagram, 32, id: 9);
        var later = fragments[1];
        var transportBytes = later.AsSpan(34).ToArray();
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, later, out var parsed));

        Assert.True(PacketRewriter.TryTranslateSource(later, ref parsed, Outside, 50000));

        Assert.Equal(Outside, NetAddress.ReadIPv4(later.AsSpan(14 + 12)));
        Assert.Equal(0, InternetChecksum.Compute(later.AsSpan(14, 20), 0));
        Assert.Equal(transportBytes, later.AsSpan(34).ToArray());
    }

    [Fact]
    public void TranslateSource_IPv6_IsRefusedAndTheFrameUnchanged()
    {
        var frame = PacketBuilder.Tcp(NetAddress.Parse("2001:db8::1"), 1, NetAddress.Parse("2001:db8::2"), 2, TcpFlags.Syn, 0, 0);
        var before = frame.ToArray();
        PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);

        Assert.False(PacketRewriter.TryTranslateSource(frame, ref parsed, Outside, 5));

        Assert.Equal(before, frame);
    }

    [Theory]
    [InlineData(0x0000, 0x1234, 0xFFFF)]
    [InlineData(0xABCD, 0x0000, 0xFFFF)]
    [InlineData(0x1234, 0x1234, 0x1234)]
    public void Adjust_AgreesWithAFullRecompute(int checksumSeed, int oldWord, int newWord)
    {
        byte[] data = [0x45, 0x00, (byte)(oldWord >> 8), (byte)oldWord, (byte)(checksumSeed >> 8), (byte)checksumSeed];
        ushort before = InternetChecksum.Compute(data, 0);
        data[2] = (byte)(newWord >> 8);
        data[3] = (byte)newWord;

        ushort adjusted = PacketRewriter.Adjust(before, (ushort)oldWord, (ushort)newWord);

        // One's complement has two zeros; a checksum of 0x0000 and 0xFFFF verify alike.
        ushort full = InternetChecksum.Compute(data, 0);
        Assert.True(adjusted == full || (adjusted ^ full) == 0xFFFF && (full == 0 || full == 0xFFFF), $"adjusted {adjusted:x4}, full {full:x4}");
    }

    private static ParsedPacket Translate(byte[] frame, bool source, NetAddress address, ushort port)
    {
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, frame, out var parsed));
        bool done = source
            ? PacketRewriter.TryTranslateSource(frame, ref parsed, address, port)
            : PacketRewriter.TryTranslateDestination(frame, ref parsed, address, port);
        Assert.True(done);
        return parsed;
    }
}
