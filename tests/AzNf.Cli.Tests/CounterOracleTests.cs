using System.Globalization;
using AzNf.NetworkFunctions.Chain;
using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// The report's per-flow counts against two independent answers: Suricata's flow records, and
/// flows rebuilt in the test from tshark's per-packet fields.
/// </summary>
public class CounterOracleTests
{
    public static TheoryData<string> Captures => new() { "sample", "generated", "port-reuse" };

    private static string Capture(string which) => which switch
    {
        "sample" => CliRunner.Samples("captures", "http-loopback.pcapng"),
        "generated" => CliRunner.Generate(flows: 300, seed: 11, OracleProcess.TempDirectory("counter-oracle")),
        _ => PortReuseCapture(),
    };

    /// <summary>
    /// Three connections on one 5-tuple: closed by FINs, then by a RST, then left open — and a
    /// fourth whose client reuses the port after the first closed but talks to another server.
    /// </summary>
    private static string PortReuseCapture()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("port-reuse"), "reuse.pcap");
        var client = NetAddress.Parse("192.168.7.7");
        var server = NetAddress.Parse("10.0.0.10");
        long t = 1_767_225_600_000_000_000;
        using var writer = PcapWriter.Create(path, LinkType.Ethernet);
        void Send(bool fromClient, TcpFlags flags, uint seq, uint ack, string payload = "")
        {
            byte[] data = System.Text.Encoding.ASCII.GetBytes(payload);
            writer.Write(t += 1_000_000, fromClient
                ? PacketBuilder.Tcp(client, 40001, server, 80, flags, seq, ack, data)
                : PacketBuilder.Tcp(server, 80, client, 40001, flags, seq, ack, data));
        }
        foreach (var (isn, close) in new[] { (1000u, "fin"), (500000u, "rst"), (900000u, "open") })
        {
            uint c = isn, s = isn + 77777;
            Send(true, TcpFlags.Syn, c, 0);
            Send(false, TcpFlags.Syn | TcpFlags.Ack, s, c + 1);
            Send(true, TcpFlags.Ack, c + 1, s + 1);
            Send(true, TcpFlags.Ack | TcpFlags.Psh, c + 1, s + 1, "GET / HTTP/1.1\r\n\r\n");
            c += 1 + 18;
            Send(false, TcpFlags.Ack | TcpFlags.Psh, s + 1, c, "HTTP/1.1 200 OK\r\n\r\n");
            s += 1 + 19;
            if (close == "fin")
            {
                Send(true, TcpFlags.Fin | TcpFlags.Ack, c, s);
                Send(false, TcpFlags.Fin | TcpFlags.Ack, s, c + 1);
                Send(true, TcpFlags.Ack, c + 1, s + 1);
            }
            else if (close == "rst")
            {
                Send(false, TcpFlags.Rst | TcpFlags.Ack, s, c);
            }
            t += 2_000_000_000;
        }
        return path;
    }

    private static List<string> Ours(RunReport report, Func<ReportFlow, bool> include) =>
        report.Flows.Where(include).Select(f => $"{f.Key} a={f.A} {f.PacketsAtoB}/{f.PacketsBtoA} {f.BytesAtoB}/{f.BytesBtoA}").Order(StringComparer.Ordinal).ToList();

    [Theory]
    [MemberData(nameof(Captures))]
    public void Run_TcpAndUdpFlows_EqualSuricataFlowRecords(string which)
    {
        string capture = Capture(which);
        string folder = OracleProcess.TempDirectory("suricata-flows");
        string emptyRules = Path.Combine(folder, "empty.rules");
        File.WriteAllText(emptyRules, "");

        var report = CliRunner.Run(capture, CliRunner.Samples("chains", "counter.json"));
        var suricata = Suricata.Run(capture, emptyRules, new Dictionary<string, string>(), Path.Combine(folder, "out"));

        var expected = suricata.Flows
            .Where(f => f.Proto is "tcp" or "udp")
            .Select(f => $"{KeyOf(f.Proto, f.Source, f.SourcePort, f.Destination, f.DestinationPort)} a={FlowKey.Endpoint(f.Source, f.SourcePort)} "
                + $"{f.PacketsToServer}/{f.PacketsToClient} {f.BytesToServer}/{f.BytesToClient}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Ours(report, f => f.Proto is "tcp" or "udp"));
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Run_EveryFlow_EqualsFlowsRebuiltFromTsharkFields(string which)
    {
        string capture = Capture(which);

        var report = CliRunner.Run(capture, CliRunner.Samples("chains", "counter.json"));
        string fields = OracleProcess.Run("tshark", "-r", capture, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
            "-e", "frame.len", "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "ip.proto", "-e", "ipv6.nxt",
            "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "icmp.ident", "-e", "icmpv6.echo.identifier", "-e", "tcp.stream");

        // Rebuild flows from tshark's fields: the first packet's sender is A; Wireshark's own
        // tcp.stream index tells a reused 5-tuple's connections apart.
        var flows = new Dictionary<string, (string A, long PacketsAToB, long PacketsBToA, long BytesAToB, long BytesBToA)>();
        var order = new List<string>();
        long packets = 0, bytes = 0;
        foreach (string line in fields.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] f = line.Split('\t');
            long length = long.Parse(f[0], CultureInfo.InvariantCulture);
            packets++;
            bytes += length;
            var source = NetAddress.Parse(Either(f[1], f[2]));
            var destination = NetAddress.Parse(Either(f[3], f[4]));
            byte proto = byte.Parse(Either(f[5], f[6]), CultureInfo.InvariantCulture);
            ushort sourcePort, destinationPort;
            if (proto is IpProtocol.Icmp or IpProtocol.IcmpV6)
            {
                string id = Either(f[11], f[12]);
                sourcePort = destinationPort = id.Length == 0 ? (ushort)0
                    : id.StartsWith("0x", StringComparison.Ordinal) ? ushort.Parse(id[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                    : ushort.Parse(id, CultureInfo.InvariantCulture);
            }
            else
            {
                sourcePort = ushort.Parse(Either(f[7], f[9]), CultureInfo.InvariantCulture);
                destinationPort = ushort.Parse(Either(f[8], f[10]), CultureInfo.InvariantCulture);
            }
            string key = KeyOf(IpProtocol.Name(proto), source, sourcePort, destination, destinationPort) + "#" + f[13];
            string sender = FlowKey.Endpoint(source, sourcePort);
            if (!flows.TryGetValue(key, out var flow))
            {
                flow = (sender, 0, 0, 0, 0);
                order.Add(key);
            }
            flows[key] = sender == flow.A
                ? flow with { PacketsAToB = flow.PacketsAToB + 1, BytesAToB = flow.BytesAToB + length }
                : flow with { PacketsBToA = flow.PacketsBToA + 1, BytesBToA = flow.BytesBToA + length };
        }

        Assert.Equal(packets, report.Totals.Packets);
        Assert.Equal(bytes, report.Totals.Bytes);
        var expected = order.Select(k => $"{k[..k.IndexOf('#', StringComparison.Ordinal)]} a={flows[k].A} {flows[k].PacketsAToB}/{flows[k].PacketsBToA} {flows[k].BytesAToB}/{flows[k].BytesBToA}");
        var actual = report.Flows.Select(f => $"{f.Key} a={f.A} {f.PacketsAtoB}/{f.PacketsBtoA} {f.BytesAtoB}/{f.BytesBtoA}");
        Assert.Equal(expected, actual);
    }

    private static string Either(string a, string b) => a.Length > 0 ? a : b;

    private static string KeyOf(string proto, NetAddress source, ushort sourcePort, NetAddress destination, ushort destinationPort)
    {
        bool sourceLower = source.CompareTo(destination) < 0 || (source == destination && sourcePort <= destinationPort);
        var (lower, lowerPort, upper, upperPort) = sourceLower ? (source, sourcePort, destination, destinationPort) : (destination, destinationPort, source, sourcePort);
        return proto is "icmp" or "ipv6-icmp"
            ? $"{proto} {lower} <-> {upper} id {lowerPort}"
            : $"{proto} {FlowKey.Endpoint(lower, lowerPort)} <-> {FlowKey.Endpoint(upper, upperPort)}";
    }
}
