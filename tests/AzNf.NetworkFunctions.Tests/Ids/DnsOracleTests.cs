using AzNf.Generators;
using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// DNS rules (<c>dns.query</c>) against Suricata 7 with its DNS parser on: requests over UDP to
/// port 53 with one and two questions, a compressed name, mixed case, a response, a malformed
/// question, a query on another port. The (sid, flow) sets must be equal.
/// </summary>
public sealed class DnsOracleTests : IDisposable
{
    private const string Rules = """
        alert dns any any -> any any (msg:"endswith nocase"; dns.query; content:".evil.example"; nocase; endswith; sid:1;)
        alert dns any any -> any any (msg:"exact"; dns.query; content:"www.example.com"; bsize:15; sid:2;)
        alert dns any any -> any any (msg:"legacy sticky"; dns_query; content:"tracker"; startswith; sid:3;)
        alert dns any any -> any any (msg:"pcre"; dns.query; pcre:"/^[a-z0-9]{20,}\./"; sid:4;)
        alert dns any any -> any any (msg:"isdataat-like"; dns.query; content:".xyz"; endswith; sid:5;)
        alert udp any any -> any any (msg:"udp dns.query"; dns.query; content:"second"; sid:6;)
        alert dns any any -> any any (msg:"dotprefix"; dns.query; dotprefix; content:".evil.example"; endswith; sid:7;)
        alert dns any any -> any any (msg:"to_lowercase"; dns.query; to_lowercase; content:"cdn.evil"; startswith; sid:8;)
        """;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aznf-dns-oracle-" + Guid.NewGuid().ToString("N"));

    public DnsOracleTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] Query(ushort id, bool response, params string[] names)
    {
        var message = new List<byte> { (byte)(id >> 8), (byte)id, response ? (byte)0x81 : (byte)0x01, 0x00, 0, (byte)names.Length, 0, 0, 0, 0, 0, 0 };
        foreach (string name in names)
        {
            foreach (string label in name.Split('.'))
            {
                message.Add((byte)label.Length);
                message.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
            }
            message.AddRange([0, 0, 1, 0, 1]);
        }
        return [.. message];
    }

    private static List<byte[]> Frames()
    {
        var client = NetAddress.Parse("10.0.0.7");
        var resolver = NetAddress.Parse("10.0.0.53");
        ushort port = 50000;
        var frames = new List<byte[]>();
        void Send(byte[] message, ushort serverPort = 53) => frames.Add(PacketBuilder.Udp(client, port++, resolver, serverPort, message));
        Send(Query(1, false, "cdn.EVIL.Example"));
        Send(Query(2, false, "evil.example"));
        Send(Query(3, false, "www.example.com"));
        Send(Query(4, false, "www.example.com.au"));
        Send(Query(5, false, "tracker.ads.net"));
        Send(Query(6, false, "abcdefghij0123456789xyz.net"));
        Send(Query(7, false, "first.example", "second.example"));
        Send(Query(8, false, "shop.xyz"));
        Send(Query(9, true, "response.evil.example"));
        Send(Query(10, false, "www.example.com"), serverPort: 5353);
        // A second question written as a compression pointer to the first name.
        var compressed = Query(11, false, "tracker.example");
        compressed[5] = 2;
        frames.Add(PacketBuilder.Udp(client, port++, resolver, 53, [.. compressed, 0xC0, 12, 0, 1, 0, 1]));
        // DNS over TCP: two length-prefixed queries, the first split across segments.
        byte[] Prefixed(byte[] message) => [(byte)(message.Length >> 8), (byte)message.Length, .. message];
        var first = Prefixed(Query(12, false, "tcp.evil.example"));
        var second = Prefixed(Query(13, false, "www.example.com"));
        frames.AddRange(new TcpConversation("10.0.0.7", 50100, "10.0.0.53", 53).Handshake()
            .Client(first[..7]).Client([.. first[7..], .. second]).Close().Frames);
        // A label that runs past the end of the message.
        frames.Add(PacketBuilder.Udp(client, port++, resolver, 53, [0, 12, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 40, (byte)'a', (byte)'b']));
        return frames;
    }

    [Fact]
    public void DnsQueries_SameAlertsAsSuricata()
    {
        var frames = Frames();
        string capture = Path.Combine(_directory, "dns.pcap");
        string rules = Path.Combine(_directory, "dns.rules");
        IdsTestHarness.WriteCapture(capture, frames);
        File.WriteAllText(rules, Rules);
        var harness = new IdsTestHarness(Rules);
        harness.SendAll(frames);
        var counters = new Dictionary<string, long>();
        harness.Detector.ReportCounters(counters);
        harness.EndAllFlows();

        var suricata = Suricata.Run(capture, rules, IdsTestHarness.DefaultVariables, Path.Combine(_directory, "suricata"), "aznf-oracle-http.yaml");
        var ours = harness.Alerts.Alerts
            .Select(a => Suricata.AlertPair(a.Sid, IpProtocol.Name(a.Protocol), a.Source, a.SourcePort, a.Destination, a.DestinationPort))
            .ToHashSet();

        Assert.Empty(harness.Diagnostics.Warnings);
        Assert.Equal(8, suricata.RulesLoaded);
        Assert.True(suricata.AlertPairs.Count >= 6, "the capture should make Suricata alert: " + string.Join(", ", suricata.AlertPairs));
        Assert.Equal(suricata.AlertPairs.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(1, 8), suricata.AlertPairs.Select(p => int.Parse(p.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order());
        Assert.Equal(1, counters["dns:malformed"]);
        Assert.Equal(2, counters["dns:tcp-messages"]);
        Assert.Contains(suricata.AlertPairs, p => p.StartsWith("1 tcp", StringComparison.Ordinal));
    }
}
