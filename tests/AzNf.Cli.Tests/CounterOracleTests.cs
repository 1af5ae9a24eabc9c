using System.Globalization;
using AzNf.NetworkFunctions.Chain;
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
    public static TheoryData<string> Captures => new() { "sample", "generated" };

    private static string Capture(string which) => which == "sample"
        ? CliRunner.Samples("captures", "http-loopback.pcapng")
        : CliRunner.Generate(flows: 300, seed: 11, OracleProcess.TempDirectory("counter-oracle"));

    private static Dictionary<string, (long, long, long, long)> Ours(RunReport report, Func<ReportFlow, bool> include) =>
        report.Flows.Where(include).ToDictionary(f => f.Key + " a=" + f.A, f => (f.PacketsAtoB, f.PacketsBtoA, f.BytesAtoB, f.BytesBtoA));

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
            .ToDictionary(
                f => KeyOf(f.Proto, f.Source, f.SourcePort, f.Destination, f.DestinationPort) + " a=" + FlowKey.Endpoint(f.Source, f.SourcePort),
                f => (f.PacketsToServer, f.PacketsToClient, f.BytesToServer, f.BytesToClient));
        Assert.NotEmpty(expected);
        Assert.Equal(expected.OrderBy(e => e.Key), Ours(report, f => f.Proto is "tcp" or "udp").OrderBy(e => e.Key));
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Run_EveryFlow_EqualsFlowsRebuiltFromTsharkFields(string which)
    {
        string capture = Capture(which);

        var report = CliRunner.Run(capture, CliRunner.Samples("chains", "counter.json"));
        string fields = OracleProcess.Run("tshark", "-r", capture, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f",
            "-e", "frame.len", "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "ip.proto", "-e", "ipv6.nxt",
            "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "icmp.ident", "-e", "icmpv6.echo.identifier");

        // Rebuild flows from tshark's fields: the first packet's sender is A.
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
            string key = KeyOf(IpProtocol.Name(proto), source, sourcePort, destination, destinationPort);
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
        var expected = order.Select(k => $"{k} a={flows[k].A} {flows[k].PacketsAToB}/{flows[k].PacketsBToA} {flows[k].BytesAToB}/{flows[k].BytesBToA}");
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
