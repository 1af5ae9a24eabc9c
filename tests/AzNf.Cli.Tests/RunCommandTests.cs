using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

public class RunCommandTests
{
    private static readonly string CounterChain = CliRunner.Samples("chains", "counter.json");

    [Fact]
    public void Run_DifferentPartitionCounts_SameReport()
    {
        string capture = CliRunner.Generate(flows: 400, seed: 5, OracleProcess.TempDirectory("partitions"));

        var one = CliRunner.Run(capture, CounterChain, partitions: 1);
        var three = CliRunner.Run(capture, CounterChain, partitions: 3);

        Assert.Equal(1, one.Input.Partitions);
        Assert.Equal(3, three.Input.Partitions);
        Assert.Equal(one.Totals.Packets, three.Totals.Packets);
        Assert.Equal(one.Flows, three.Flows);
        Assert.Equal(one.Alerts, three.Alerts);
        Assert.True(one.Flows.Count >= 400);
    }

    [Fact]
    public void Run_Inline_SameReportAsThreaded()
    {
        string capture = CliRunner.Generate(flows: 200, seed: 6, OracleProcess.TempDirectory("inline"));
        string folder = OracleProcess.TempDirectory("inline-report");

        var threaded = CliRunner.Run(capture, CounterChain, partitions: 1);
        var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--chain", CounterChain, "--partitions", "1", "--inline", "--quiet", "--report", Path.Combine(folder, "r.json"));

        Assert.True(code == 0, errors);
        var inline = AzNf.NetworkFunctions.Chain.RunReport.ReadJson(File.ReadAllText(Path.Combine(folder, "r.json")));
        Assert.Equal(threaded.Totals.Packets, inline.Totals.Packets);
        Assert.Equal(threaded.Flows, inline.Flows);
    }

    [Fact]
    public void Run_GarbageCapture_ExitsBadInputNamingTheFile()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("garbage"), "garbage.pcap");
        File.WriteAllBytes(path, "this is not a capture file at all"u8.ToArray());

        var (code, errors) = CliRunner.Aznf("run", "--capture", path, "--chain", CounterChain, "--quiet");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(path, errors, StringComparison.Ordinal);
        Assert.Contains("byte 0", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingCapture_ExitsBadInput()
    {
        var (code, errors) = CliRunner.Aznf("run", "--capture", "/nonexistent/x.pcap", "--chain", CounterChain, "--quiet");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("/nonexistent/x.pcap", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BadChain_ExitsBadInputNamingThePlace()
    {
        string chain = Path.Combine(OracleProcess.TempDirectory("bad-chain"), "chain.json");
        File.WriteAllText(chain, """{ "stages": [ { "type": "counter" }, { "type": "nope" } ] }""");

        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--chain", chain, "--quiet");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("stages[1].type", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_TruncatedLastRecord_WarnsAndKeepsEveryWholePacket()
    {
        string folder = OracleProcess.TempDirectory("truncated");
        string path = Path.Combine(folder, "cut.pcap");
        var frames = SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = 20, Seed = 3 });
        using (var writer = PcapWriter.Create(path, LinkType.Ethernet))
        {
            foreach (var frame in frames)
            {
                writer.Write(frame.TimestampNanos, frame.Data);
            }
        }
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length - 10);
        }

        var report = CliRunner.Run(path, CounterChain);

        Assert.Equal(frames.Count - 1, report.Totals.Packets);
        Assert.Equal(frames.Take(frames.Count - 1).Sum(f => (long)f.Data.Length), report.Totals.Bytes);
        Assert.NotEmpty(report.Input.CaptureWarnings);
    }

    [Fact]
    public void Run_MalformedPackets_CountedByReasonAndRunGoesOn()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("malformed"), "malformed.pcap");
        var good = PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), 1000, NetAddress.Parse("10.0.0.2"), 53, "hello"u8);
        var badIhl = (byte[])good.Clone();
        badIhl[14] = 0x42;
        var truncatedTcp = PacketBuilder.Tcp(NetAddress.Parse("10.0.0.1"), 1000, NetAddress.Parse("10.0.0.2"), 80, TcpFlags.Syn, 1, 0)[..40];
        using (var writer = PcapWriter.Create(path, LinkType.Ethernet))
        {
            writer.Write(1, good);
            writer.Write(2, badIhl);
            writer.Write(3, truncatedTcp);
            writer.Write(4, good);
        }

        var report = CliRunner.Run(path, CounterChain);

        Assert.Equal(4, report.Totals.Packets);
        Assert.Equal(4, report.Totals.Forwarded);
        Assert.Equal(1, report.Totals.Unparsed["ipv4-bad-ihl"]);
        Assert.Equal(1, report.Totals.Unparsed["tcp-truncated"]);
        var flow = Assert.Single(report.Flows);
        Assert.Equal(2, flow.PacketsAtoB);
    }

    [Fact]
    public void Gen_SameSeed_SameBytes()
    {
        string folder = OracleProcess.TempDirectory("gen");
        string first = CliRunner.Generate(flows: 50, seed: 9, folder);
        byte[] a = File.ReadAllBytes(first);
        File.Delete(first);

        byte[] b = File.ReadAllBytes(CliRunner.Generate(flows: 50, seed: 9, folder));

        Assert.Equal(a, b);
        Assert.True(a.Length > 10_000);
    }

    [Fact]
    public void Run_ReportInMissingFolder_ExitsCannotWriteNamingThePath()
    {
        string report = Path.Combine(OracleProcess.TempDirectory("no-report"), "missing", "report.json");

        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--chain", CounterChain, "--report", report, "--quiet");

        Assert.Equal(ExitCodes.CannotWriteOutput, code);
        Assert.Contains(report, errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Gen_Mss_NoTcpSegmentCarriesMore()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("gen-mss"), "mss.pcap");
        var (code, errors) = CliRunner.Aznf("gen", "--out", path, "--flows", "60", "--mss", "300", "--response-bytes", "5000");
        Assert.True(code == 0, errors);

        int largest = 0, segments = 0;
        using (var reader = CaptureReader.Open(path))
        {
            while (reader.TryRead(out var record))
            {
                if (PacketParser.Parse(record.LinkType, record.Data, out var packet) == MalformedReason.None && packet.IsTcp)
                {
                    largest = Math.Max(largest, packet.PayloadLength);
                    segments++;
                }
            }
        }

        Assert.True(segments > 100);
        Assert.True(largest is > 250 and <= 300, $"largest TCP payload {largest}");
    }

    [Fact]
    public void Run_BadOption_ExitsUsage()
    {
        var (code, errors) = CliRunner.Aznf("run", "--capture", "x.pcap", "--partitions", "0");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("partitions", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownDefragPolicy_ExitsUsageNamingTheOption()
    {
        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--defrag", "windows");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--defrag", errors, StringComparison.Ordinal);
    }
}

public class RuleFileTests
{
    private static string ChainWith(string folder, string firewallRules, string idsRules)
    {
        File.WriteAllText(Path.Combine(folder, "fw.rules"), firewallRules);
        File.WriteAllText(Path.Combine(folder, "ids.rules"), idsRules);
        string chain = Path.Combine(folder, "chain.json");
        File.WriteAllText(chain, """
            { "variables": { "HOME_NET": "[127.0.0.0/8]", "HTTP_PORTS": "18080" },
              "stages": [ { "type": "counter" },
                          { "type": "firewall", "rules": "fw.rules" },
                          { "type": "ids", "rules": "ids.rules" } ] }
            """);
        return chain;
    }

    [Fact]
    public void Run_IdsRuleWithUnsupportedKeyword_RejectedWithFileLineAndTheRestAlerts()
    {
        string folder = OracleProcess.TempDirectory("bad-ids-rule");
        string chain = ChainWith(folder, "allow ip from any to any\n",
            "alert tcp any any -> any any (msg:\"fine\"; content:\"/etc/passwd\"; sid:1;)\n"
            + "alert tcp any any -> any any (msg:\"app layer\"; smb.share; content:\"x\"; sid:2;)\n");

        var report = CliRunner.Run(CliRunner.Samples("captures", "http-loopback.pcapng"), chain);

        var warning = Assert.Single(report.Warnings);
        Assert.Contains("ids.rules:2", warning, StringComparison.Ordinal);
        Assert.Contains("smb.share", warning, StringComparison.Ordinal);
        Assert.Contains(report.Alerts, a => a.Sid == 1);
        Assert.Equal(1, report.WarningCounts["ids-rule-rejected"]);
    }

    [Fact]
    public void Run_UnparsableFirewallRule_ExitsBadInputNamingFileAndLine()
    {
        string folder = OracleProcess.TempDirectory("bad-fw-rule");
        string chain = ChainWith(folder, "allow ip from any to any\nallow sctp from nowhere to any\n", "");

        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--chain", chain, "--quiet");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("fw.rules:2", errors, StringComparison.Ordinal);
    }
}
