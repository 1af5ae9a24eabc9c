using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// The sample edge (samples/chains/edge.json: counter, guard, firewall, NAT, IDS) through
/// <c>aznf run</c> on two partitions, against inside clients browsing out — their server's
/// replies addressed to the NAT's outside address and port, as they arrive from the Internet —
/// beside a SYN flood on a server: every packet of the clients' connections is forwarded,
/// translated both ways on one flow with checksums tshark accepts, and the flood is cut. The
/// durable runtime's equality is DurableChainRunTests'.
/// </summary>
public sealed class EdgeChainTests
{
    private const long Second = 1_000_000_000L;
    private const int Clients = 30;
    private const int FloodSources = 3;
    private const int SynsPerSource = 3000;
    private static readonly long StartTime = 1_700_000_000L * Second;

    private static readonly NetAddress FloodTarget = NetAddress.Parse("10.0.0.10");

    [Fact]
    public void Run_ClientsBehindTheNatBesideASynFlood_TranslatedBothWaysAndTheFloodCut()
    {
        string folder = OracleProcess.TempDirectory("edge");
        string chain = CliRunner.Samples("chains", "edge.json");
        // First the clients' packets alone, to learn the outside ports the NAT gives them; its
        // choice depends on the flows only, so the whole capture gets the same ones.
        string outbound = Path.Combine(folder, "outbound.pcap"), firstReport = Path.Combine(folder, "first.json");
        EdgeTraffic.Write(outbound, EdgeTraffic.Clients(Clients, StartTime, outsideEndpoints: null));
        var (code, errors) = CliRunner.Aznf("run", "--capture", outbound, "--chain", chain, "--partitions", "2", "--report", firstReport, "--quiet");
        Assert.True(code == 0, errors);
        var outside = EdgeTraffic.OutsideEndpoints(RunReport.ReadJson(File.ReadAllText(firstReport)).Flows.Select(f => (f.A, f.Translated)));
        Assert.Equal(Clients, outside.Count);
        string capture = Path.Combine(folder, "edge.pcap"), report = Path.Combine(folder, "report.json"), forwarded = Path.Combine(folder, "forwarded.pcap"), eve = Path.Combine(folder, "eve.json");
        var clientFrames = EdgeTraffic.Clients(Clients, StartTime, outside);
        EdgeTraffic.Write(capture, clientFrames.Concat(EdgeTraffic.SynFlood(FloodSources, SynsPerSource, FloodTarget, StartTime)));

        (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--chain", chain, "--partitions", "2", "--report", report, "--write-forwarded", forwarded, "--eve", eve, "--quiet");

        Assert.True(code == 0, errors);
        var result = RunReport.ReadJson(File.ReadAllText(report));
        var translatedFlows = result.Flows.Where(f => f.Translated is not null).ToList();
        Assert.Equal(Clients, translatedFlows.Count);
        Assert.All(translatedFlows, f => Assert.Equal((5L, 3L), (f.PacketsAtoB, f.PacketsBtoA)));
        Assert.Equal(outside.Values.Order(), translatedFlows.Select(f => EdgeTraffic.OutsideOf(f.Translated!)).Order());
        // EVE flow events carry the translation under aznf (Suricata's EVE has no field for it).
        var eveTranslated = File.ReadLines(eve)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement)
            .Where(e => e.GetProperty("event_type").GetString() == "flow" && e.GetProperty("aznf").TryGetProperty("translated", out _))
            .Select(e => EdgeTraffic.OutsideOf(e.GetProperty("aznf").GetProperty("translated").GetString()!))
            .Order();
        Assert.Equal(outside.Values.Order(), eveTranslated);
        var nat = result.Nfs.Single(n => n.Kind == "nat");
        Assert.Equal(Clients * 5, nat.Counters["translated:outbound"]);
        Assert.Equal(Clients * 3, nat.Counters["translated:inbound"]);

        var packets = Forwarded(forwarded);
        string server = EdgeTraffic.WebServer.ToString();
        var toOrFromServer = packets.Where(p => p.Src == server || p.Dst == server).ToList();
        Assert.Equal(clientFrames.Count, toOrFromServer.Count);
        Assert.All(toOrFromServer, p => Assert.StartsWith(p.Src == server ? "192.168.1." : "192.0.2.", p.Src == server ? p.Dst : p.Src, StringComparison.Ordinal));
        Assert.All(toOrFromServer, p => Assert.Equal(("1", "1"), (p.IpChecksum, p.TcpChecksum)));

        int flood = packets.Count(p => p.Dst == FloodTarget.ToString());
        // 100 SYN/s per source, shared by 2 partitions and 4 shards: a 1 s burst and 3 s of refill, at most 400 a source.
        Assert.InRange(flood, 900, FloodSources * 400);
        Assert.Equal(FloodSources * SynsPerSource - flood, result.Totals.DropReasons["ratelimit:source-syn"]);
    }

    [Fact]
    public void Run_EdgeChainWithReuseOldestOnTheDurableRuntime_RefusedNamingTheStage()
    {
        string folder = OracleProcess.TempDirectory("edge-reuse");
        string chain = Path.Combine(folder, "edge-reuse.json");
        File.WriteAllText(chain, File.ReadAllText(CliRunner.Samples("chains", "edge.json"))
            .Replace("\"onExhausted\": \"drop\"", "\"onExhausted\": \"reuse-oldest\"", StringComparison.Ordinal)
            .Replace("../rules/", CliRunner.Samples("rules") + "/", StringComparison.Ordinal));

        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--chain", chain, "--runtime", "durable", "--quiet");

        Assert.Equal(65, code);
        Assert.Contains("stage 'nat' (nat)", errors, StringComparison.Ordinal);
    }

    private sealed record ForwardedPacket(string Src, string Dst, string IpChecksum, string TcpChecksum);

    /// <summary>The forwarded capture as tshark reads it, with IP and TCP checksum validation on (status 1 = good).</summary>
    private static List<ForwardedPacket> Forwarded(string path) =>
        OracleProcess.Run(
                "tshark", "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields",
                "-e", "ip.src", "-e", "ip.dst", "-e", "ip.checksum.status", "-e", "tcp.checksum.status")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => new ForwardedPacket(f[0], f[1], f[2], f[3]))
            .ToList();
}
