using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// The sample edge (samples/chains/edge.json: counter, guard, firewall, NAT, IDS) through
/// <c>aznf run</c> on two partitions, against inside clients browsing out — their servers'
/// replies addressed to the NAT's outside address and port, as they arrive from the Internet —
/// beside a SYN flood on a server: every packet of the clients' connections is forwarded,
/// translated both ways on one flow with checksums tshark accepts, and the flood is cut.
/// </summary>
public sealed class EdgeChainTests
{
    private const long Second = 1_000_000_000L;
    private const int Clients = 30;
    private const int FloodSources = 3;
    private const int SynsPerSource = 3000;
    private static readonly long StartTime = 1_700_000_000L * Second;

    private static readonly NetAddress WebServer = NetAddress.Parse("198.51.100.80");
    private static readonly NetAddress FloodTarget = NetAddress.Parse("10.0.0.10");

    [Fact]
    public void Run_ClientsBehindTheNatBesideASynFlood_TranslatedBothWaysAndTheFloodCut()
    {
        string folder = OracleProcess.TempDirectory("edge");
        string chain = CliRunner.Samples("chains", "edge.json");
        // First the clients' packets alone, to learn the outside ports the NAT gives them; its
        // choice depends on the flows only, so the whole capture gets the same ones.
        string outbound = Path.Combine(folder, "outbound.pcap"), firstReport = Path.Combine(folder, "first.json");
        WriteCapture(outbound, outsidePorts: null);
        var (code, errors) = CliRunner.Aznf("run", "--capture", outbound, "--chain", chain, "--partitions", "2", "--report", firstReport, "--quiet");
        Assert.True(code == 0, errors);
        var outside = OutsideEndpoints(RunReport.ReadJson(File.ReadAllText(firstReport)));
        Assert.Equal(Clients, outside.Count);
        string capture = Path.Combine(folder, "edge.pcap"), report = Path.Combine(folder, "report.json"), forwarded = Path.Combine(folder, "forwarded.pcap");
        int clientPackets = WriteCapture(capture, outside);

        (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--chain", chain, "--partitions", "2", "--report", report, "--write-forwarded", forwarded, "--quiet");

        Assert.True(code == 0, errors);
        var result = RunReport.ReadJson(File.ReadAllText(report));
        var translatedFlows = result.Flows.Where(f => f.Translated is not null).ToList();
        Assert.Equal(Clients, translatedFlows.Count);
        Assert.All(translatedFlows, f => Assert.Equal((5L, 3L), (f.PacketsAtoB, f.PacketsBtoA)));
        Assert.Equal(outside.Values.Order(), translatedFlows.Select(f => OutsideOf(f.Translated!)).Order());
        var nat = result.Nfs.Single(n => n.Kind == "nat");
        Assert.Equal(Clients * 5, nat.Counters["translated:outbound"]);
        Assert.Equal(Clients * 3, nat.Counters["translated:inbound"]);

        var packets = Forwarded(forwarded);
        var toOrFromServer = packets.Where(p => p.Src == WebServer.ToString() || p.Dst == WebServer.ToString()).ToList();
        Assert.Equal(clientPackets, toOrFromServer.Count);
        Assert.All(toOrFromServer, p => Assert.StartsWith(p.Src == WebServer.ToString() ? "192.168.1." : "192.0.2.", p.Src == WebServer.ToString() ? p.Dst : p.Src, StringComparison.Ordinal));
        Assert.All(toOrFromServer, p => Assert.Equal(("1", "1"), (p.IpChecksum, p.TcpChecksum)));

        int flood = packets.Count(p => p.Dst == FloodTarget.ToString());
        // 100 SYN/s per source, shared by 2 partitions: a 1 s burst and 3 s of refill, at most 400 a source.
        Assert.InRange(flood, 900, FloodSources * 400);
        Assert.Equal(FloodSources * SynsPerSource - flood, result.Totals.DropReasons["ratelimit:source-syn"]);
    }

    [Fact]
    public void Run_EdgeChainOnTheDurableRuntime_RefusedNamingAStage()
    {
        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--chain", CliRunner.Samples("chains", "edge.json"), "--runtime", "durable", "--quiet");

        Assert.Equal(65, code);
        Assert.Contains("the durable runtime does not carry", errors, StringComparison.Ordinal);
    }

    /// <summary>The outside endpoint ("192.0.2.1:40123") each client's flow was given, by client address.</summary>
    private static Dictionary<string, string> OutsideEndpoints(RunReport report) =>
        report.Flows.Where(f => f.Translated is not null).ToDictionary(f => f.A.Split(':')[0], f => OutsideOf(f.Translated!));

    // "tcp 192.0.2.1:40123 <-> 198.51.100.80:80": the endpoint that is not the server's.
    private static string OutsideOf(string translated) =>
        translated[4..].Split(" <-> ").Single(endpoint => !endpoint.StartsWith(WebServer.ToString() + ":", StringComparison.Ordinal));

    /// <summary>
    /// The clients' connections (replies to their outside endpoint, or none when it is not known
    /// yet) and, with replies, the flood; returns the clients' packets.
    /// </summary>
    private static int WriteCapture(string path, Dictionary<string, string>? outsidePorts)
    {
        var frames = new List<(long Time, byte[] Frame)>();
        int clientPackets = 0;
        for (int c = 0; c < Clients; c++)
        {
            var client = NetAddress.Parse($"192.168.1.{c + 1}");
            long at = StartTime + (c * Second / 10);
            var outside = outsidePorts?[client.ToString()].Split(':');
            var publicAddress = outside is null ? client : NetAddress.Parse(outside[0]);
            ushort publicPort = outside is null ? (ushort)40000 : ushort.Parse(outside[1], System.Globalization.CultureInfo.InvariantCulture);
            var conversation = new List<(bool FromClient, byte[] Frame)>
            {
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Syn, 100, 0)),
                (false, PacketBuilder.Tcp(WebServer, 80, publicAddress, publicPort, TcpFlags.Syn | TcpFlags.Ack, 500, 101)),
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Ack, 101, 501)),
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Ack | TcpFlags.Psh, 101, 501, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8)),
                (false, PacketBuilder.Tcp(WebServer, 80, publicAddress, publicPort, TcpFlags.Ack | TcpFlags.Psh, 501, 128, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8)),
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Fin | TcpFlags.Ack, 128, 539)),
                (false, PacketBuilder.Tcp(WebServer, 80, publicAddress, publicPort, TcpFlags.Fin | TcpFlags.Ack, 539, 129)),
                (true, PacketBuilder.Tcp(client, 40000, WebServer, 80, TcpFlags.Ack, 129, 540)),
            };
            for (int p = 0; p < conversation.Count; p++)
            {
                if (outsidePorts is null && !conversation[p].FromClient)
                {
                    continue;
                }
                frames.Add((at + (p * Second / 1000), conversation[p].Frame));
                clientPackets++;
            }
        }
        if (outsidePorts is not null)
        {
            for (int i = 0; i < FloodSources * SynsPerSource; i++)
            {
                var source = NetAddress.Parse($"203.0.113.{1 + (i % FloodSources)}");
                frames.Add((StartTime + (i * Second / (FloodSources * 1000)), PacketBuilder.Tcp(source, (ushort)(1024 + (i / FloodSources)), FloodTarget, 80, TcpFlags.Syn, (uint)i, 0)));
            }
        }
        using var writer = PcapWriter.Create(path, LinkType.Ethernet);
        foreach (var (time, frame) in frames.OrderBy(f => f.Time))
        {
            writer.Write(time, frame);
        }
        return clientPackets;
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
