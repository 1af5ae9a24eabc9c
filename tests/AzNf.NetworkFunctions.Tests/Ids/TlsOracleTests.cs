using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// TLS rules (<c>tls.sni</c>) against Suricata 7 with its TLS parser on, on ClientHellos made by
/// OpenSSL (scripts/make-tls-capture.sh): with and without a server name, split across TCP
/// segments and across TLS records, on port 443 and another port, plus an HTTP request on 443.
/// </summary>
public sealed class TlsOracleTests : IDisposable
{
    private const string Rules = """
        alert tls any any -> any any (msg:"sni exact"; flow:established,to_server; tls.sni; content:"www.example.com"; bsize:15; sid:1;)
        alert tls any any -> any any (msg:"sni endswith"; tls.sni; content:".trycloudflare.com"; nocase; endswith; sid:2;)
        alert tls any any -> any any (msg:"split segments"; tls.sni; content:"ngrok.io"; sid:3;)
        alert tls any any -> any any (msg:"split records"; tls_sni; content:"duckdns"; sid:4;)
        alert tls any any -> any any (msg:"dotprefix"; tls.sni; dotprefix; content:".example.com"; endswith; sid:5;)
        alert tls any any -> any any (msg:"never"; tls.sni; content:"not-tls"; sid:6;)
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aznf-tls-oracle-" + Guid.NewGuid().ToString("N"));

    public TlsOracleTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ClientHellos_SameAlertsAsSuricata()
    {
        string capture = OracleProcess.TestData("capture", "tls-sni.pcapng");
        string rules = Path.Combine(_directory, "tls.rules");
        File.WriteAllText(rules, Rules);
        var harness = new IdsTestHarness(Rules);
        using (var reader = CaptureReader.Open(capture))
        {
            while (reader.TryRead(out var record))
            {
                Assert.Equal(LinkType.Ethernet, record.LinkType);
                harness.Send(record.Data.ToArray());
            }
        }
        var counters = new Dictionary<string, long>();
        harness.Detector.ReportCounters(counters);
        harness.EndAllFlows();

        var suricata = Suricata.Run(capture, rules, IdsTestHarness.DefaultVariables, Path.Combine(_directory, "suricata"), "aznf-oracle-http.yaml");
        var ours = harness.Alerts.Alerts
            .Select(a => Suricata.AlertPair(a.Sid, IpProtocol.Name(a.Protocol), a.Source, a.SourcePort, a.Destination, a.DestinationPort))
            .ToHashSet();

        Assert.Empty(harness.Diagnostics.Warnings);
        Assert.Equal(6, suricata.RulesLoaded);
        Assert.Equal([1, 2, 3, 4, 5], suricata.AlertPairs.Select(p => int.Parse(p.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order());
        Assert.Equal(suricata.AlertPairs.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
        Assert.Equal(5, counters["tls:client-hellos"]);
    }
}
