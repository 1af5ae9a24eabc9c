using AzNf.TestOracles;
using System.Globalization;
using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using static AzNf.Packets.Tests.Parsing.Frames;

namespace AzNf.Packets.Tests.Oracles;

/// <summary>
/// Wireshark's dissectors as the oracle for our parser: the same capture, read by tshark and by
/// CaptureReader + PacketParser, must give the same addresses, ports, TCP flags, sequence and
/// acknowledgment numbers, TCP segment length, UDP length and ICMP echo identifier per packet.
/// </summary>
public sealed class TsharkOracleTests : IDisposable
{
    private static readonly string[] Fields =
    [
        "frame.number", "frame.time_epoch", "frame.len", "frame.cap_len", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
        "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "udp.length", "icmp.ident", "icmpv6.echo.identifier",
    ];

    private readonly string _directory = OracleProcess.TempDirectory("packets");

    [Theory]
    [InlineData(LinkType.Ethernet)]
    [InlineData(LinkType.LinuxSll)]
    [InlineData(LinkType.LinuxSll2)]
    [InlineData(LinkType.Null)]
    [InlineData(LinkType.Raw)]
    public void Parser_GeneratedCapture_MatchesTsharkPerPacket(LinkType linkType)
    {
        string path = Path.Combine(_directory, $"oracle-{linkType}.pcap");
        using (var writer = PcapWriter.Create(path, linkType))
        {
            long time = 1_700_000_000_000_000_000L;
            foreach (byte[] frame in Frames(linkType))
            {
                writer.Write(time += 1_000_000, frame);
            }
        }

        AssertParserMatchesTshark(path, minimumPackets: 15);
    }

    [Fact]
    public void Parser_DumpcapLoopbackCapture_MatchesTsharkPerPacket()
    {
        // Written by dumpcap (tshark -i lo) around curl against a local HTTP server over IPv4 and
        // IPv6: a pcapng from a real writer, with its SHB/IDB options and nanosecond if_tsresol.
        string path = OracleProcess.TestData("capture", "loopback-curl.pcapng");

        AssertParserMatchesTshark(path, minimumPackets: 30);
    }

    [Fact]
    public void Parser_DumpcapCaptureConvertedToNanosecondPcap_MatchesTsharkPerPacket()
    {
        string path = Path.Combine(_directory, "loopback-curl.pcap");
        OracleProcess.Run("editcap", "-F", "nsecpcap", OracleProcess.TestData("capture", "loopback-curl.pcapng"), path);

        AssertParserMatchesTshark(path, minimumPackets: 30);
    }

    private static void AssertParserMatchesTshark(string path, int minimumPackets)
    {
        string output = OracleProcess.Run(
            "tshark", ["-r", path, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
            "-T", "fields", "-E", "separator=,", "-E", "occurrence=f", .. Fields.SelectMany(f => new[] { "-e", f })]);
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Normalize).ToList();
        var actual = new List<string>();
        // Per frame, as tshark lists them: no reassembly of fragments.
        using (var reader = CaptureReader.Open(path, new CaptureReaderOptions { Defrag = new DefragOptions { Enabled = false } }))
        {
            while (reader.TryRead(out var record))
            {
                PacketParser.Parse(record.LinkType, record.Data, out var packet);
                actual.Add(Row(actual.Count + 1, record, packet));
            }
            Assert.Equal(0, reader.Warnings.Total);
        }

        Assert.True(expected.Count >= minimumPackets, $"tshark printed too little:\n{output}");
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i] == actual[i], $"packet {i + 1}:\n tshark {expected[i]}\n aznf   {actual[i]}");
        }
    }

    /// <summary>Our reading and parse in tshark's field order and number formats.</summary>
    private static string Row(int number, in CaptureRecord record, in ParsedPacket packet)
    {
        bool v4 = packet.IpVersion == 4;
        bool v6 = packet.IpVersion == 6;
        bool tcp = packet.IsTcp && packet.HasTransport;
        bool udp = packet.IsUdp && packet.HasTransport;
        bool echo = packet.IsIcmp && PacketParser.IsIcmpEcho(packet.Protocol, packet.IcmpType);
        string[] cells =
        [
            Text(number),
            Text(record.TimestampNanos),
            Text(record.OriginalLength),
            Text(record.Data.Length),
            v4 ? packet.Source.ToString() : "",
            v6 ? packet.Source.ToString() : "",
            v4 ? packet.Destination.ToString() : "",
            v6 ? packet.Destination.ToString() : "",
            tcp ? Text(packet.SourcePort) : "",
            tcp ? Text(packet.DestinationPort) : "",
            udp ? Text(packet.SourcePort) : "",
            udp ? Text(packet.DestinationPort) : "",
            tcp ? Text((int)packet.TcpFlags) : "",
            tcp ? Text(packet.TcpSequence) : "",
            tcp ? Text(packet.TcpAcknowledgment) : "",
            tcp ? Text(packet.PayloadLength) : "",
            udp ? Text(packet.PayloadLength + 8) : "",
            echo && packet.Protocol == IpProtocol.Icmp ? Text(packet.IcmpId) : "",
            echo && packet.Protocol == IpProtocol.IcmpV6 ? Text(packet.IcmpId) : "",
        ];
        return string.Join(',', cells);
    }

    /// <summary>
    /// tshark prints the time as seconds with a fraction, some numbers in hex (tcp.flags, icmpv6
    /// id) or as "7 (0x0007)": compare times as nanoseconds and numbers as decimals.
    /// </summary>
    private static string Normalize(string line) =>
        string.Join(',', line.TrimEnd('\r').Split(',').Select((cell, column) =>
        {
            string value = cell.Split(' ')[0];
            if (Fields[column] == "frame.time_epoch")
            {
                string[] parts = value.Split('.');
                string fraction = parts.Length > 1 ? parts[1].PadRight(9, '0') : "0";
                return Text((long.Parse(parts[0], CultureInfo.InvariantCulture) * 1_000_000_000L) + long.Parse(fraction, CultureInfo.InvariantCulture));
            }
            return value.StartsWith("0x", StringComparison.Ordinal)
                ? Text(long.Parse(value.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture))
                : value;
        }));

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<byte[]> Frames(LinkType linkType)
    {
        foreach (byte[] ethernet in EthernetFrames())
        {
            ushort etherType = (ushort)((ethernet[12] << 8) | ethernet[13]);
            byte[] payload = ethernet[14..];
            switch (linkType)
            {
                case LinkType.Ethernet:
                    yield return ethernet;
                    yield return Ethernet(etherType, payload, 0x8100);
                    yield return Ethernet(etherType, payload, 0x88A8, 0x8100);
                    break;
                case LinkType.LinuxSll:
                    yield return Sll(etherType, payload);
                    yield return Sll(0x8100, [0x20, 0x07, (byte)(etherType >> 8), (byte)etherType, .. payload]);
                    break;
                case LinkType.LinuxSll2:
                    yield return Sll2(etherType, payload);
                    break;
                case LinkType.Null:
                    if (etherType != EtherTypeArp)
                    {
                        yield return Loopback(etherType == EtherTypeIPv6 ? 30u : 2u, littleEndian: true, payload);
                    }
                    break;
                default:
                    if (etherType != EtherTypeArp)
                    {
                        yield return payload;
                    }
                    break;
            }
        }
    }

    private static IEnumerable<byte[]> EthernetFrames()
    {
        var client = NetAddress.Parse("192.168.7.21");
        var server = NetAddress.Parse("172.16.0.80");
        var client6 = NetAddress.Parse("2001:db8:1::21");
        var server6 = NetAddress.Parse("fe80::1:80");
        byte[] request = "GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n"u8.ToArray();
        yield return PacketBuilder.Tcp(client, 51000, server, 80, TcpFlags.Syn, 0xF0000001, 0);
        yield return PacketBuilder.Tcp(server, 80, client, 51000, TcpFlags.Syn | TcpFlags.Ack, 77, 0xF0000002);
        yield return PacketBuilder.Tcp(client, 51000, server, 80, TcpFlags.Psh | TcpFlags.Ack, 0xF0000002, 78, request);
        yield return PacketBuilder.Tcp(server, 80, client, 51000, TcpFlags.Fin | TcpFlags.Ack | TcpFlags.Urg | TcpFlags.Ece | TcpFlags.Cwr, 78, 0xF000002D);
        yield return PacketBuilder.Tcp(client, 51000, server, 80, TcpFlags.Rst, 0xF000002D, 0);
        yield return PacketBuilder.Udp(client, 33333, server, 53, new byte[29]);
        yield return PacketBuilder.Udp(server6, 547, client6, 546, new byte[3]);
        yield return PacketBuilder.IcmpEcho(client, server, request: true, id: 0x1234, sequence: 1, new byte[56]);
        yield return PacketBuilder.IcmpEcho(server, client, request: false, id: 0x1234, sequence: 1, new byte[56]);
        yield return PacketBuilder.IcmpEcho(client6, server6, request: true, id: 0xBEEF, sequence: 2, new byte[8]);
        yield return PacketBuilder.IcmpEcho(server6, client6, request: false, id: 0xBEEF, sequence: 2, new byte[8]);
        yield return PacketBuilder.Tcp(client6, 60000, server6, 443, TcpFlags.Psh | TcpFlags.Ack, 1, 2, new byte[100]);
        // TCP options: MSS, SACK-permitted, timestamps, NOP, window scale.
        yield return Ethernet(EtherTypeIPv4, Ipv4(IpProtocol.Tcp,
            Tcp(51001, 8080, 5, 0, TcpFlags.Syn, [2, 4, 5, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]),
            source: "192.168.7.21", destination: "172.16.0.80"));
        // IPv4 options (router alert) in front of UDP.
        yield return Ethernet(EtherTypeIPv4, Ipv4(IpProtocol.Udp, Udp(5000, 5001, [1, 2, 3]), options: [148, 4, 0, 0]));
        // IPv6 hop-by-hop and destination options in front of TCP.
        yield return Ethernet(EtherTypeIPv6, Ipv6(0, [.. Extension(60), .. Extension(IpProtocol.Tcp, units: 1),
            .. Tcp(40000, 22, 123456789, 987654321, TcpFlags.Ack, payload: new byte[17])]));
        // IPv4 later fragment: no transport header, so no ports on either side.
        yield return Ethernet(EtherTypeIPv4, Ipv4(IpProtocol.Udp, new byte[40], fragmentField: 185));
        // Ethernet padding after a short UDP datagram.
        byte[] small = PacketBuilder.Udp(client, 1, server, 2, [9]);
        yield return [.. small, .. new byte[60 - small.Length]];
        // ARP: not IP, no fields on either side.
        yield return Ethernet(EtherTypeArp, new byte[28]);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
