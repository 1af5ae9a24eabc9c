using System.Globalization;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// `aznf run --eve`: the EVE lines say what the report says (the same alerts and flows, tied by
/// flow id), in Suricata 7's field names and JSON types, with Suricata's (sid, flow) pairs.
/// </summary>
public class EveOutputTests
{
    [Fact]
    public void Run_WithEve_AlertsFlowsAndStatsEqualTheReport()
    {
        string folder = OracleProcess.TempDirectory("eve-report");
        string capture = CliRunner.Generate(flows: 300, seed: 7, folder);
        string eve = Path.Combine(folder, "eve.json");
        var report = RunWithEve(capture, CliRunner.Samples("chains", "full.json"), eve, folder);
        var events = ReadEvents(eve);

        var alerts = events.Where(e => Type(e) == "alert").ToList();
        Assert.True(report.Alerts.Count >= 5, "the capture should raise alerts");
        Assert.Equal(
            report.Alerts.Select(a => $"{a.Sid} {a.FlowId} {a.PacketIndex} {a.Timestamp![..26]}").Order(StringComparer.Ordinal),
            alerts.Select(e => $"{e.GetProperty("alert").GetProperty("signature_id").GetInt32()} {e.GetProperty("flow_id").GetInt64()} {e.GetProperty("pcap_cnt").GetInt64()} {e.GetProperty("timestamp").GetString()![..26]}").Order(StringComparer.Ordinal));

        var flows = events.Where(e => Type(e) == "flow").ToList();
        Assert.Equal(report.Flows.Count, flows.Count);
        Assert.Equal(
            report.Flows.Select(f => $"{f.FlowId} {f.PacketsAtoB} {f.PacketsBtoA} {f.BytesAtoB} {f.BytesBtoA} {f.State}").Order(StringComparer.Ordinal),
            flows.Select(e =>
            {
                var f = e.GetProperty("flow");
                return $"{e.GetProperty("flow_id").GetInt64()} {f.GetProperty("pkts_toserver").GetInt64()} {f.GetProperty("pkts_toclient").GetInt64()} {f.GetProperty("bytes_toserver").GetInt64()} {f.GetProperty("bytes_toclient").GetInt64()} {f.GetProperty("state").GetString()}";
            }).Order(StringComparer.Ordinal));
        Assert.Equal(report.Flows.Count, report.Flows.Select(f => f.FlowId).Distinct().Count());

        // Every alert's flow id names a flow, and a flow is "alerted" exactly when it has one.
        var alertedIds = report.Alerts.Select(a => a.FlowId).ToHashSet();
        Assert.All(alertedIds, id => Assert.Contains(report.Flows, f => f.FlowId == id));
        Assert.Equal(
            alertedIds.Order(),
            flows.Where(e => e.GetProperty("flow").GetProperty("alerted").GetBoolean()).Select(e => e.GetProperty("flow_id").GetInt64()).Order());

        var drops = events.Where(e => Type(e) == "drop").ToList();
        Assert.True(report.Totals.Dropped > 0, "the full chain's firewall should drop some of the generated traffic");
        Assert.Equal(report.Totals.Dropped, drops.Count);
        Assert.Equal(
            report.Totals.DropReasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}={r.Value}"),
            drops.GroupBy(e => e.GetProperty("drop").GetProperty("reason").GetString()!).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));

        var stats = Assert.Single(events, e => Type(e) == "stats").GetProperty("stats");
        Assert.Equal(report.Totals.Packets, stats.GetProperty("decoder").GetProperty("pkts").GetInt64());
        Assert.Equal(report.Totals.Bytes, stats.GetProperty("decoder").GetProperty("bytes").GetInt64());
        Assert.Equal(report.Alerts.Count, stats.GetProperty("detect").GetProperty("alert").GetInt64());
        Assert.Equal(report.Totals.Dropped, stats.GetProperty("aznf").GetProperty("dropped").GetInt64());
    }

    [Fact]
    public void Run_WithEve_FieldsHaveSuricatasNamesAndTypesAndAlertPairsEqualSuricatas()
    {
        string folder = OracleProcess.TempDirectory("eve-suricata");
        string capture = CliRunner.Generate(flows: 400, seed: 21, folder);
        string chainPath = CliRunner.Samples("chains", "ids.json");
        var chain = ChainDefinition.Load(chainPath);
        string eve = Path.Combine(folder, "eve.json");
        RunWithEve(capture, chainPath, eve, folder);
        string suricataFolder = Path.Combine(folder, "suricata");
        var suricata = Suricata.Run(capture, CliRunner.Samples("rules", "ids.rules"), chain.Variables, suricataFolder, "aznf-oracle-http.yaml");
        var theirs = ReadEvents(Path.Combine(suricataFolder, "eve.json"));
        var ours = ReadEvents(eve);

        foreach (string type in new[] { "alert", "flow" })
        {
            var suricataFields = new Dictionary<string, JsonValueKind>(StringComparer.Ordinal);
            foreach (var e in theirs.Where(e => Type(e) == type))
            {
                Fields(e, "", suricataFields);
            }
            Assert.NotEmpty(suricataFields);
            var ourFields = new Dictionary<string, JsonValueKind>(StringComparer.Ordinal);
            foreach (var e in ours.Where(e => Type(e) == type))
            {
                Fields(e, "", ourFields);
            }
            Assert.NotEmpty(ourFields);
            foreach (var (path, kind) in ourFields)
            {
                if (path == "aznf" || path.StartsWith("aznf.", StringComparison.Ordinal))
                {
                    continue; // AzNf's own, not in Suricata's format
                }
                Assert.True(suricataFields.TryGetValue(path, out var expected), $"{type} event field '{path}' is not one Suricata writes");
                Assert.True(expected == kind, $"{type} event field '{path}': Suricata writes {expected}, AzNf {kind}");
            }
            // The fields a SIEM keys on are there.
            foreach (string path in new[] { "timestamp", "flow_id", "event_type", "src_ip", "dest_ip", "proto" })
            {
                Assert.Contains(path, ourFields.Keys);
            }
        }

        var ourPairs = ours.Where(e => Type(e) == "alert")
            .Select(e => Suricata.AlertPair(
                e.GetProperty("alert").GetProperty("signature_id").GetInt32(),
                e.GetProperty("proto").GetString()!.ToLowerInvariant(),
                NetAddress.Parse(e.GetProperty("src_ip").GetString()!), Port(e, "src_port"),
                NetAddress.Parse(e.GetProperty("dest_ip").GetString()!), Port(e, "dest_port")))
            .ToHashSet();
        Assert.True(suricata.AlertPairs.Count >= 5, $"the capture should exercise the sample rules; Suricata raised {suricata.AlertPairs.Count}");
        Assert.Equal(suricata.AlertPairs.Order(StringComparer.Ordinal), ourPairs.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Run_WithEveRotate_EveryLineIsWholeInFilesNoLargerThanTheLimit()
    {
        string folder = OracleProcess.TempDirectory("eve-rotate");
        string capture = CliRunner.Generate(flows: 200, seed: 3, folder);
        string eve = Path.Combine(folder, "eve.json");
        File.WriteAllText(eve + ".4", "from an earlier run\n");
        var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--eve", eve, "--eve-rotate", "4KB", "--partitions", "2", "--quiet");
        Assert.True(code == 0, errors);

        var rotated = Directory.GetFiles(folder, "eve.json.*")
            .Where(f => Path.GetFileName(f) != "eve.json")
            .Select(f => (Path: f, Suffix: int.Parse(Path.GetExtension(f)[1..], CultureInfo.InvariantCulture)))
            .Where(f => f.Suffix > 4)
            .OrderBy(f => f.Suffix)
            .ToList();
        Assert.True(rotated.Count >= 5, $"4 KB files should rotate many times; rotated {rotated.Count}");
        Assert.Equal(Enumerable.Range(5, rotated.Count), rotated.Select(f => f.Suffix));
        Assert.Equal("from an earlier run\n", File.ReadAllText(eve + ".4"));
        var files = rotated.Select(f => f.Path).Append(eve).ToList();
        long flows = 0;
        foreach (string file in files)
        {
            Assert.True(new FileInfo(file).Length <= 4096, $"{file} is {new FileInfo(file).Length} bytes");
            string text = File.ReadAllText(file);
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
            foreach (var e in ReadEvents(file))
            {
                flows += Type(e) == "flow" ? 1 : 0;
            }
        }
        Assert.Equal(200, flows);
    }

    [Theory]
    [InlineData("--eve eve.json --eve-rotate 12XB", "--eve-rotate must be a size such as 500KB, 100MB or 1GB, not '12XB'")]
    [InlineData("--eve-rotate 1MB", "--eve-rotate needs --eve FILE")]
    [InlineData("--eve=- --eve-rotate 1MB", "--eve-rotate needs --eve FILE")]
    public void Run_WithABadEveOption_ExitsBadCommandLine(string options, string message)
    {
        var (code, errors) = CliRunner.Aznf(["run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), .. options.Split(' '), "--quiet"]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithAnUnwritableEveFile_ExitsCannotWriteOutputNamingIt()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("eve-unwritable"), "no-such-folder", "eve.json");
        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--eve", path, "--quiet");
        Assert.Equal(ExitCodes.CannotWriteOutput, code);
        Assert.Contains(path, errors, StringComparison.Ordinal);
    }

    internal static RunReport RunWithEve(string capture, string chain, string eve, string folder, params string[] more)
    {
        string report = Path.Combine(folder, "report.json");
        var (code, errors) = CliRunner.Aznf(["run", "--capture", capture, "--chain", chain, "--partitions", "2", "--eve", eve, "--report", report, "--quiet", .. more]);
        Assert.True(code == 0, $"aznf run exited with {code}: {errors}");
        return RunReport.ReadJson(File.ReadAllText(report));
    }

    internal static List<JsonElement> ReadEvents(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static ushort Port(JsonElement e, string name) => e.TryGetProperty(name, out var port) ? (ushort)port.GetInt32() : (ushort)0;

    private static string Type(JsonElement e) => e.GetProperty("event_type").GetString()!;

    // Every leaf and object path ("alert.signature_id") with its JSON kind; the keys of
    // alert.metadata depend on the rules, so the object itself stands for them.
    internal static void Fields(JsonElement element, string prefix, Dictionary<string, JsonValueKind> into)
    {
        foreach (var property in element.EnumerateObject())
        {
            string path = prefix + property.Name;
            // true and false are two value kinds of one JSON type: which one a file ends on depends on its last event.
            into[path] = property.Value.ValueKind == JsonValueKind.False ? JsonValueKind.True : property.Value.ValueKind;
            if (property.Value.ValueKind == JsonValueKind.Object && path != "alert.metadata")
            {
                Fields(property.Value, path + ".", into);
            }
        }
    }
}
