using AzNf.Packets.Parsing;
using static AzNf.Packets.Tests.Parsing.Frames;

namespace AzNf.Packets.Tests.Parsing;

/// <summary>
/// Every hand-built frame cut at every byte offset: the parser must never throw and must name
/// the layer it was cut in. Each case lists its layers as (length, reason when cut inside it);
/// bytes after the last listed layer are payload, where a cut is legal (snap length) and only
/// marks the packet capture-truncated.
/// </summary>
public sealed class PacketParserTruncationTests
{
    private const MalformedReason Link = MalformedReason.LinkTruncated;
    private const MalformedReason V4 = MalformedReason.IPv4Truncated;
    private const MalformedReason V6 = MalformedReason.IPv6Truncated;
    private const MalformedReason Ext = MalformedReason.IPv6ExtensionTruncated;
    private const MalformedReason TcpCut = MalformedReason.TcpTruncated;
    private const MalformedReason UdpCut = MalformedReason.UdpTruncated;

    private static readonly byte[] Payload = [.. "hello, world"u8];
    private static readonly byte[] TcpWithOptions = Tcp(1234, 80, 1, 2, TcpFlags.Psh | TcpFlags.Ack, [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2], Payload);
    private static readonly byte[] UdpDatagram = Udp(5000, 53, Payload);
    private static readonly byte[] IPv4Options = [1, 1, 1, 0];
    private static readonly byte[] V4Tcp = Ipv4(IpProtocol.Tcp, TcpWithOptions, IPv4Options);
    private static readonly byte[] V4Udp = Ipv4(IpProtocol.Udp, UdpDatagram);
    private static readonly byte[] V4Icmp = Ipv4(IpProtocol.Icmp, Icmp(8, 0, 7, 1, Payload));
    private static readonly byte[] V6Tcp = Ipv6(0, [.. Extension(44), .. Fragment(60, 0, more: false), .. Extension(IpProtocol.Tcp, units: 1), .. TcpWithOptions]);
    private static readonly byte[] V6Udp = Ipv6(IpProtocol.Udp, UdpDatagram);
    private static readonly byte[] V6Icmp = Ipv6(IpProtocol.IcmpV6, Icmp(128, 0, 7, 1, Payload));

    private static readonly (int, MalformedReason)[] V4TcpLayers = [(24, V4), (32, TcpCut)];
    private static readonly (int, MalformedReason)[] V4UdpLayers = [(20, V4), (8, UdpCut)];
    private static readonly (int, MalformedReason)[] V4IcmpLayers = [(20, V4), (8, MalformedReason.IcmpTruncated)];
    private static readonly (int, MalformedReason)[] V6TcpLayers = [(40, V6), (8, Ext), (8, Ext), (16, Ext), (32, TcpCut)];
    private static readonly (int, MalformedReason)[] V6UdpLayers = [(40, V6), (8, UdpCut)];
    private static readonly (int, MalformedReason)[] V6IcmpLayers = [(40, V6), (8, MalformedReason.IcmpV6Truncated)];

    public static TheoryData<string, LinkType, byte[], (int, MalformedReason)[]> Cases()
    {
        var data = new TheoryData<string, LinkType, byte[], (int, MalformedReason)[]>();
        var packets = new (string Name, byte[] Ip, bool V6, (int, MalformedReason)[] Layers)[]
        {
            ("v4 tcp+options", V4Tcp, false, V4TcpLayers),
            ("v4 udp", V4Udp, false, V4UdpLayers),
            ("v4 icmp", V4Icmp, false, V4IcmpLayers),
            ("v6 ext+tcp", V6Tcp, true, V6TcpLayers),
            ("v6 udp", V6Udp, true, V6UdpLayers),
            ("v6 icmpv6", V6Icmp, true, V6IcmpLayers),
        };
        foreach (var (name, ip, v6, layers) in packets)
        {
            ushort etherType = v6 ? EtherTypeIPv6 : EtherTypeIPv4;
            data.Add($"ethernet {name}", LinkType.Ethernet, Ethernet(etherType, ip), [(14, Link), .. layers]);
            data.Add($"QinQ {name}", LinkType.Ethernet, Ethernet(etherType, ip, 0x88A8, 0x8100), [(22, Link), .. layers]);
            data.Add($"sll {name}", LinkType.LinuxSll, Sll(etherType, ip), [(16, Link), .. layers]);
            data.Add($"sll2 {name}", LinkType.LinuxSll2, Sll2(etherType, ip), [(20, Link), .. layers]);
            data.Add($"null {name}", LinkType.Null, Loopback(v6 ? 30u : 2u, littleEndian: true, ip), [(4, Link), .. layers]);
            data.Add($"loop {name}", LinkType.Loop, Loopback(v6 ? 24u : 2u, littleEndian: false, ip), [(4, Link), .. layers]);
            // Raw: an empty frame has no version nibble to tell the family, so it is a link cut.
            data.Add($"raw {name}", LinkType.Raw, ip, [(1, Link), (layers[0].Item1 - 1, layers[0].Item2), .. layers[1..]]);
            data.Add($"linktype {(v6 ? 229 : 228)} {name}", v6 ? LinkType.IPv6 : LinkType.IPv4, ip, layers);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_CutAtEveryOffset_NamesTheCutLayerAndNeverThrows(string name, LinkType linkType, byte[] frame, (int, MalformedReason)[] layers)
    {
        int headers = layers.Sum(l => l.Item1);
        Assert.True(headers < frame.Length, $"{name}: the case must end in payload");

        for (int cut = 0; cut <= frame.Length; cut++)
        {
            // A fresh array of exactly the cut length: any read past it would throw.
            byte[] truncated = frame[..cut];

            var reason = PacketParser.Parse(linkType, truncated, out var packet);

            var expected = cut == frame.Length || cut >= headers ? MalformedReason.None : ReasonAt(layers, cut);
            Assert.True(expected == reason, $"{name} cut at {cut}: expected {expected}, got {reason}");
            if (reason == MalformedReason.None)
            {
                Assert.Equal(cut < frame.Length, packet.IsCaptureTruncated);
                Assert.InRange(packet.PayloadOffset + packet.PayloadLength, 0, cut);
                Assert.Equal(cut - headers, packet.PayloadLength);
            }
            else
            {
                Assert.NotEqual("none", MalformedReasons.Name(reason));
            }
        }
    }

    private static MalformedReason ReasonAt((int, MalformedReason)[] layers, int cut)
    {
        int end = 0;
        foreach (var (length, reason) in layers)
        {
            end += length;
            if (cut < end)
            {
                return reason;
            }
        }
        throw new InvalidOperationException("cut is in the payload");
    }
}
