using System.Text.Json;
using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// The sample guard (samples/chains/guard.json) against a SYN flood from a few sources mixed
/// with ordinary connections, through <c>aznf run</c> on two partitions: the flood is cut to its
/// sources' rate, every packet of the ordinary connections is forwarded, and the durable runtime
/// (the buckets of each partition and flow shard stored with the shard's flows) drops the same
/// packets.
/// </summary>
public sealed class GuardChainTests
{
    private const long Second = 1_000_000_000L;
    private const int FloodSources = 3;
    private const int SynsPerSource = 3000;

    private static readonly NetAddress Server = NetAddress.Parse("10.0.0.10");

    [Fact]
    public void Run_SynFloodBesideOrdinaryConnections_FloodCutToTheSourceRateAndConnectionsUntouched()
    {
        string folder = OracleProcess.TempDirectory("guard");
        string capture = Path.Combine(folder, "flood.pcap");
        int ordinaryPackets = WriteCapture(capture);
        // The sample's guard stage, behind a counter: the chain under test is the sample's limits.
        using var sample = JsonDocument.Parse(File.ReadAllText(CliRunner.Samples("chains", "guard.json")));
        var guard = sample.RootElement.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("type").GetString() == "ratelimit");
        string chain = Path.Combine(folder, "guard-only.json");
        File.WriteAllText(chain, $$"""{ "name": "guard-only", "stages": [ { "name": "counter", "type": "counter" }, {{guard.GetRawText()}} ] }""");
        string report = Path.Combine(folder, "report.json"), forwarded = Path.Combine(folder, "forwarded.pcap");

        var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--chain", chain, "--partitions", "2", "--report", report, "--write-forwarded", forwarded, "--quiet");

        Assert.True(code == 0, errors);
        var result = RunReport.ReadJson(File.ReadAllText(report));
        var (ordinary, flood) = CountForwarded(forwarded);
        Assert.Equal(ordinaryPackets, ordinary);
        // 100 SYN/s per source, shared by 2 partitions: a 1 s burst and 3 s of refill, at most 400 a source.
        Assert.InRange(flood, 900, FloodSources * 400);
        Assert.Equal(FloodSources * SynsPerSource - flood, result.Totals.DropReasons["ratelimit:source-syn"]);
        Assert.Single(result.Totals.DropReasons);
        var stage = result.Nfs.Single(n => n.Kind == "ratelimit");
        Assert.Equal(result.Totals.Dropped, stage.Counters["dropped:source-syn"]);
    }

    [Fact]
    public void Run_GuardChainOnTheDurableRuntime_DropsWhatTheEmbeddedRunDrops()
    {
        string folder = OracleProcess.TempDirectory("guard-durable");
        string capture = Path.Combine(folder, "flood.pcap");
        WriteCapture(capture, synsPerSource: 600);
        string chain = CliRunner.Samples("chains", "guard.json");
        string embedded = Path.Combine(folder, "embedded.json"), durable = Path.Combine(folder, "durable.json");

        var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--chain", chain, "--partitions", "2", "--report", embedded, "--quiet");
        Assert.True(code == 0, errors);
        (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--chain", chain, "--partitions", "2", "--report", durable, "--runtime", "durable", "--quiet");

        Assert.True(code == 0, errors);
        var expected = RunReport.ReadJson(File.ReadAllText(embedded));
        var actual = RunReport.ReadJson(File.ReadAllText(durable));
        Assert.True(expected.Totals.DropReasons.GetValueOrDefault("ratelimit:source-syn") > 0);
        Assert.Equal(expected.Totals.DropReasons, actual.Totals.DropReasons);
        Assert.Equal(expected.Totals.Forwarded, actual.Totals.Forwarded);
        Assert.Equal(expected.Flows, actual.Flows);
    }

    [Fact]
    public void Run_GuardChainOnTheDurableRuntimeWithOtherShards_RefusedNamingBoth()
    {
        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--chain", CliRunner.Samples("chains", "guard.json"), "--runtime", "durable", "--shards", "8", "--quiet");

        Assert.Equal(64, code);
        Assert.Contains("the run's flow shards (8) must be the chain's flowShards (4)", errors, StringComparison.Ordinal);
    }

    /// <summary>The flood (SYNs from a few sources, 1,000 a second each, for 3 s) and 30 ordinary connections among it; returns the ordinary packets.</summary>
    private static int WriteCapture(string path, int synsPerSource = SynsPerSource)
    {
        var frames = new List<(long Time, byte[] Frame)>();
        long start = 1_700_000_000L * Second;
        frames.AddRange(EdgeTraffic.SynFlood(FloodSources, synsPerSource, Server, start));

        int ordinary = 0;
        for (int c = 0; c < 30; c++)
        {
            var client = NetAddress.Parse($"198.51.100.{c + 1}");
            long at = start + (c * Second / 10);
            byte[][] conversation =
            [
                PacketBuilder.Tcp(client, 40000, Server, 80, TcpFlags.Syn, 100, 0),
                PacketBuilder.Tcp(Server, 80, client, 40000, TcpFlags.Syn | TcpFlags.Ack, 500, 101),
                PacketBuilder.Tcp(client, 40000, Server, 80, TcpFlags.Ack, 101, 501),
                PacketBuilder.Tcp(client, 40000, Server, 80, TcpFlags.Ack | TcpFlags.Psh, 101, 501, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8),
                PacketBuilder.Tcp(Server, 80, client, 40000, TcpFlags.Ack | TcpFlags.Psh, 501, 128, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8),
                PacketBuilder.Tcp(client, 40000, Server, 80, TcpFlags.Fin | TcpFlags.Ack, 128, 539),
                PacketBuilder.Tcp(Server, 80, client, 40000, TcpFlags.Fin | TcpFlags.Ack, 539, 129),
                PacketBuilder.Tcp(client, 40000, Server, 80, TcpFlags.Ack, 129, 540),
            ];
            for (int p = 0; p < conversation.Length; p++)
            {
                frames.Add((at + (p * Second / 1000), conversation[p]));
                ordinary++;
            }
        }
        using var writer = PcapWriter.Create(path, LinkType.Ethernet);
        foreach (var (time, frame) in frames.OrderBy(f => f.Time))
        {
            writer.Write(time, frame);
        }
        return ordinary;
    }

    private static (int Ordinary, int Flood) CountForwarded(string path)
    {
        int ordinary = 0, flood = 0;
        using var reader = CaptureReader.Open(path);
        while (reader.TryRead(out var record))
        {
            PacketParser.Parse(record.LinkType, record.Data, out var packet);
            bool fromFlood = packet.Source.ToString().StartsWith("203.0.113.", StringComparison.Ordinal);
            flood += fromFlood ? 1 : 0;
            ordinary += fromFlood ? 0 : 1;
        }
        return (ordinary, flood);
    }
}
