using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// A real rule set on real HTTP traffic: the pinned ET Open subset on a recorded capture of
/// curl and raw-socket requests (ordinary and hostile; scripts/make-http-capture.sh) through
/// `aznf run`, against Suricata 7 with its default app-layer parsers and addresses set to any.
/// Suricata gets the rules AzNf loads, so the (sid, flow) sets must be equal; how many rules
/// load is <c>RuleRejectionsTests</c>' concern.
/// </summary>
public class EtOpenOracleTests
{
    private static readonly Dictionary<string, string> Variables = new(StringComparer.Ordinal)
    {
        ["HOME_NET"] = "any",
        ["EXTERNAL_NET"] = "any",
        ["HTTP_SERVERS"] = "any",
        ["SMTP_SERVERS"] = "any",
        ["SQL_SERVERS"] = "any",
        ["DNS_SERVERS"] = "any",
        ["TELNET_SERVERS"] = "any",
        ["AIM_SERVERS"] = "any",
        ["DC_SERVERS"] = "any",
        ["HTTP_PORTS"] = "[80,18081]",
        ["SHELLCODE_PORTS"] = "!80",
        ["ORACLE_PORTS"] = "1521",
        ["SSH_PORTS"] = "22",
        ["FILE_DATA_PORTS"] = "[80,18081,110,143]",
        ["FTP_PORTS"] = "21",
        ["DNP3_PORTS"] = "20000",
        ["MODBUS_PORTS"] = "502",
    };

    [Fact]
    public void Run_EtOpenOnRecordedHttp_AlertsEqualSuricata()
    {
        string folder = OracleProcess.TempDirectory("et-oracle");
        string rulesPath = Path.Combine(folder, "et.rules");
        var lines = Directory.GetFiles(OracleProcess.TestData("et-open"), "*.rules").Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines).ToList();
        File.WriteAllLines(rulesPath, lines);
        var definition = IdsDefinition.Parse(File.ReadAllText(rulesPath), "et.rules", Variables);
        string loadedPath = Path.Combine(folder, "loaded.rules");
        File.WriteAllLines(loadedPath, definition.Rules.Select(r => lines[int.Parse(r.Location.Split(':')[1]) - 1]));
        string chainPath = Path.Combine(folder, "chain.json");
        File.WriteAllText(chainPath, System.Text.Json.JsonSerializer.Serialize(new
        {
            name = "et",
            variables = Variables,
            stages = new object[] { new { name = "ids", type = "ids", rules = "loaded.rules" } },
        }));
        string capture = OracleProcess.TestData("capture", "http-et.pcapng");

        var report = CliRunner.Run(capture, chainPath);
        var suricata = Suricata.Run(capture, loadedPath, Variables, Path.Combine(folder, "suricata"), "aznf-oracle-http.yaml");

        var ours = report.Alerts
            .Select(a => Suricata.AlertPair(a.Sid, a.Proto, NetAddress.Parse(a.Src), (ushort)a.SrcPort, NetAddress.Parse(a.Dst), (ushort)a.DstPort))
            .ToHashSet();
        Assert.Equal(definition.RulesLoaded, suricata.RulesLoaded);
        Assert.Empty(report.Warnings);
        // The capture's hostile requests: SQL injection, cmd.exe, system32, /etc/passwd, script tags, unicode traversal, curl, POST bodies.
        Assert.True(suricata.AlertPairs.Select(p => p.Split(' ')[0]).Distinct().Count() >= 10,
            $"the capture should exercise at least 10 ET rules; Suricata raised {string.Join(", ", suricata.AlertPairs)}");
        Assert.Equal(suricata.AlertPairs.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
    }
}
