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

        string eve = Path.Combine(folder, "eve.json");
        var report = EveOutputTests.RunWithEve(capture, chainPath, eve, folder);
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

        // EVE: an alert on an HTTP transaction names it as Suricata does (app_proto, url, method;
        // hostname and user agent where Suricata has them: it raises a URI rule as soon as the
        // request line is parsed, so on a pipelined request it logs the transaction before its
        // headers, where AzNf matches on the complete head), per (sid, flow).
        var theirKinds = new Dictionary<string, System.Text.Json.JsonValueKind>(StringComparer.Ordinal);
        foreach (var e in EveOutputTests.ReadEvents(Path.Combine(folder, "suricata", "eve.json")).Where(e => e.GetProperty("event_type").GetString() == "alert"))
        {
            EveOutputTests.Fields(e, "", theirKinds);
        }
        var ourKinds = new Dictionary<string, System.Text.Json.JsonValueKind>(StringComparer.Ordinal);
        foreach (var e in EveOutputTests.ReadEvents(eve).Where(e => e.GetProperty("event_type").GetString() == "alert"))
        {
            EveOutputTests.Fields(e, "", ourKinds);
        }
        Assert.Contains("http.hostname", ourKinds.Keys);
        foreach (var (path, kind) in ourKinds.Where(k => k.Key is not "aznf" && !k.Key.StartsWith("aznf.", StringComparison.Ordinal)))
        {
            Assert.True(theirKinds.TryGetValue(path, out var expectedKind) && expectedKind == kind, $"alert field '{path}' ({kind}) is not Suricata's");
        }
        // Flow events: the app protocol the app layer found is Suricata's for the same flow.
        var theirApps = AppOfFlows(Path.Combine(folder, "suricata", "eve.json"));
        var ourApps = AppOfFlows(eve);
        Assert.True(ourApps.Count(a => a.Value == "http") >= 10, "the recorded HTTP flows should be found to speak http");
        foreach (var (flow, app) in ourApps)
        {
            Assert.True(theirApps.TryGetValue(flow, out var expectedApp) && expectedApp == app, $"{flow}: app_proto {app}, Suricata {expectedApp}");
        }
        var theirHttp = HttpOfAlerts(Path.Combine(folder, "suricata", "eve.json"));
        var ourHttp = HttpOfAlerts(eve);
        Assert.True(ourHttp.Count >= 10, $"ET alerts on HTTP transactions should carry their http object; {ourHttp.Count} did");
        foreach (var (pair, http) in ourHttp)
        {
            Assert.True(theirHttp.TryGetValue(pair, out var expected), $"Suricata has no http alert for {pair}");
            Assert.Equal(expected.Select(t => (t.App, t.Url, t.Method)).Order(), http.Select(t => (t.App, t.Url, t.Method)).Order());
            foreach (var theirs in expected)
            {
                var mine = http.First(t => t.Url == theirs.Url && t.Method == theirs.Method);
                Assert.True(theirs.Host.Length == 0 || theirs.Host == mine.Host, $"{pair}: hostname {mine.Host}, Suricata {theirs.Host}");
                Assert.True(theirs.Agent.Length == 0 || theirs.Agent == mine.Agent, $"{pair}: user agent {mine.Agent}, Suricata {theirs.Agent}");
            }
        }
    }

    // The flow's 5-tuple (as an alert pair with sid 0) → its flow event's app_proto, where it has one.
    private static Dictionary<string, string> AppOfFlows(string evePath) =>
        EveOutputTests.ReadEvents(evePath)
            .Where(e => e.GetProperty("event_type").GetString() == "flow" && e.TryGetProperty("app_proto", out _))
            .ToDictionary(
                e => Suricata.AlertPair(0, e.GetProperty("proto").GetString()!.ToLowerInvariant(),
                    NetAddress.Parse(e.GetProperty("src_ip").GetString()!), (ushort)e.GetProperty("src_port").GetInt32(),
                    NetAddress.Parse(e.GetProperty("dest_ip").GetString()!), (ushort)e.GetProperty("dest_port").GetInt32()),
                e => e.GetProperty("app_proto").GetString()!,
                StringComparer.Ordinal);

    // (sid, flow) → the app_proto and http fields of its alerts (a pipelined flow may raise one sid on several requests).
    private static Dictionary<string, HashSet<(string App, string Host, string Url, string Method, string Agent)>> HttpOfAlerts(string evePath)
    {
        var found = new Dictionary<string, HashSet<(string, string, string, string, string)>>(StringComparer.Ordinal);
        foreach (var e in EveOutputTests.ReadEvents(evePath).Where(e => e.GetProperty("event_type").GetString() == "alert" && e.TryGetProperty("http", out _)))
        {
            var http = e.GetProperty("http");
            string Field(string name) => http.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
            string pair = Suricata.AlertPair(
                e.GetProperty("alert").GetProperty("signature_id").GetInt32(), e.GetProperty("proto").GetString()!.ToLowerInvariant(),
                NetAddress.Parse(e.GetProperty("src_ip").GetString()!), (ushort)e.GetProperty("src_port").GetInt32(),
                NetAddress.Parse(e.GetProperty("dest_ip").GetString()!), (ushort)e.GetProperty("dest_port").GetInt32());
            if (!found.TryGetValue(pair, out var set))
            {
                found[pair] = set = [];
            }
            set.Add((e.GetProperty("app_proto").GetString()!, Field("hostname"), Field("url"), Field("http_method"), Field("http_user_agent")));
        }
        return found;
    }
}
