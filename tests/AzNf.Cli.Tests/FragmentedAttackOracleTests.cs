using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// Tried as an attacker would: an HTTP request whose IP datagram is cut into 16-byte fragments
/// sent last-first. Suricata 7 reassembles it and alerts; so must `aznf run` (the capture reader
/// reassembles before packets are assigned to partitions).
/// </summary>
public class FragmentedAttackOracleTests
{
    private const string Rules = """
        alert http any any -> any any (msg:"passwd in uri"; flow:established,to_server; http.uri; content:"/etc/passwd"; sid:1;)
        alert tcp any any -> any 80 (msg:"payload"; flow:established,to_server; content:"GET /cgi-bin/../../etc/passwd"; sid:2;)
        """;

    [Fact]
    public void Run_HttpRequestInReversedFragments_AlertsEqualSuricata()
    {
        string folder = OracleProcess.TempDirectory("frag-oracle");
        var client = NetAddress.Parse("192.0.2.10");
        var server = NetAddress.Parse("10.0.0.80");
        var request = System.Text.Encoding.ASCII.GetBytes("GET /cgi-bin/../../etc/passwd HTTP/1.1\r\nHost: victim\r\nUser-Agent: frag\r\n\r\n");
        var response = System.Text.Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        var frames = new List<byte[]>
        {
            PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Syn, 100, 0),
            PacketBuilder.Tcp(server, 80, client, 40000, TcpFlags.Syn | TcpFlags.Ack, 500, 101),
            PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Ack, 101, 501),
        };
        var fragments = PacketBuilder.FragmentIPv4(PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Psh | TcpFlags.Ack, 101, 501, request), 16, id: 4242);
        fragments.Reverse();
        frames.AddRange(fragments);
        uint clientNext = 101 + (uint)request.Length;
        frames.Add(PacketBuilder.Tcp(server, 80, client, 40000, TcpFlags.Psh | TcpFlags.Ack, 501, clientNext, response));
        frames.Add(PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Ack | TcpFlags.Fin, clientNext, 501 + (uint)response.Length));
        frames.Add(PacketBuilder.Tcp(server, 80, client, 40000, TcpFlags.Ack | TcpFlags.Fin, 501 + (uint)response.Length, clientNext + 1));
        string capture = Path.Combine(folder, "fragments.pcap");
        using (var writer = PcapWriter.Create(capture, LinkType.Ethernet))
        {
            long time = 1_700_000_000_000_000_000L;
            foreach (var frame in frames)
            {
                writer.Write(time += 1_000_000, frame);
            }
        }
        string rules = Path.Combine(folder, "frag.rules");
        File.WriteAllText(rules, Rules);
        string chain = Path.Combine(folder, "chain.json");
        File.WriteAllText(chain, """{ "name": "frag", "variables": { "HOME_NET": "any" }, "stages": [ { "name": "ids", "type": "ids", "rules": "frag.rules" } ] }""");

        var report = CliRunner.Run(capture, chain);
        var suricata = Suricata.Run(capture, rules, new Dictionary<string, string> { ["HOME_NET"] = "any" }, Path.Combine(folder, "suricata"), "aznf-oracle-http.yaml");

        var ours = report.Alerts
            .Select(a => Suricata.AlertPair(a.Sid, a.Proto, NetAddress.Parse(a.Src), (ushort)a.SrcPort, NetAddress.Parse(a.Dst), (ushort)a.DstPort))
            .ToHashSet();
        Assert.Equal(2, suricata.AlertPairs.Count);
        Assert.Equal(suricata.AlertPairs.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
        Assert.Equal(fragments.Count, report.Input.CaptureWarnings["defrag:fragments"]);
        Assert.Equal(1, report.Input.CaptureWarnings["defrag:reassembled"]);
    }
}
