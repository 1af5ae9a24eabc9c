using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// `aznf run --write-rejects`: the answers of the IDS's reject rules, read back by tshark with
/// checksum validation on: one answer per rejected packet, addressed back to its sender, a reset
/// taking its sequence from the rejected segment's acknowledgment (RFC 9293 §3.10.7.1), an ICMP
/// port unreachable quoting the rejected datagram.
/// </summary>
public class RejectAnswersTests
{
    [Fact]
    public void Run_WithRejectRules_WritesOneValidAnswerPerRejectedPacket()
    {
        string folder = OracleProcess.TempDirectory("reject-answers");
        string capture = CliRunner.Generate(flows: 300, seed: 7, folder);
        File.WriteAllText(Path.Combine(folder, "reject.rules"), """
            reject tcp any any -> any any (msg:"reject GET"; flow:to_server,established; content:"GET"; sid:1;)
            rejectsrc udp any any -> any any (msg:"reject udp"; sid:2;)
            """);
        string chain = Path.Combine(folder, "chain.json");
        File.WriteAllText(chain, """{ "name": "reject", "stages": [ { "name": "ids", "type": "ids", "rules": "reject.rules" } ] }""");
        string answers = Path.Combine(folder, "rejects.pcap"), reportPath = Path.Combine(folder, "report.json");

        var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--chain", chain, "--write-rejects", answers, "--report", reportPath, "--quiet");

        Assert.True(code == 0, errors);
        var report = AzNf.NetworkFunctions.Chain.RunReport.ReadJson(File.ReadAllText(reportPath));
        var rejected = report.Alerts.Where(a => a.Action == "reject").Select(a => a.PacketIndex).ToList();
        Assert.Contains(report.Alerts, a => a.Sid == 1);
        Assert.Contains(report.Alerts, a => a.Sid == 2);
        Assert.Equal(report.Alerts.Count, rejected.Count);

        var input = Fields(capture).ToDictionary(f => long.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture));
        var written = Fields(answers);
        Assert.Equal(rejected.Count, written.Count);
        foreach (var (index, answer) in rejected.Zip(written))
        {
            var packet = input[index];
            // Back to the sender, from the address it sent to; checksums good (status 1).
            Assert.Equal((packet[Dst], packet[Src]), (answer[Src], answer[Dst]));
            if (packet[TcpSeq].Length > 0)
            {
                Assert.True(answer[TcpRst] is "1" or "True", $"answer to packet {index} is not a reset");
                Assert.Equal((packet[TcpAck], "1"), (answer[TcpSeq], answer[TcpChecksum]));
                Assert.Equal((packet[TcpDstPort], packet[TcpSrcPort]), (answer[TcpSrcPort], answer[TcpDstPort]));
            }
            else
            {
                Assert.Equal(("3", "3", "1"), (answer[IcmpType], answer[IcmpCode], answer[IcmpChecksum]));
                // The quoted datagram is the rejected one: its ports as sent.
                Assert.Equal((packet[UdpSrcPort], packet[UdpDstPort]), (answer[UdpSrcPort], answer[UdpDstPort]));
            }
            if (answer[IpChecksum].Length > 0)
            {
                Assert.StartsWith("1", answer[IpChecksum], StringComparison.Ordinal);
            }
        }
    }

    private const int Src = 1, Dst = 2, TcpSrcPort = 3, TcpDstPort = 4, TcpSeq = 5, TcpAck = 6, TcpRst = 7, TcpChecksum = 8,
        IpChecksum = 9, IcmpType = 10, IcmpCode = 11, IcmpChecksum = 12, UdpSrcPort = 13, UdpDstPort = 14, Ipv6Src = 15, Ipv6Dst = 16;

    private static List<string[]> Fields(string path) =>
        OracleProcess.Run(
                "tshark", "-r", path, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-T", "fields",
                "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.srcport", "-e", "tcp.dstport",
                "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e", "tcp.flags.reset", "-e", "tcp.checksum.status",
                "-e", "ip.checksum.status", "-e", "icmp.type", "-e", "icmp.code", "-e", "icmp.checksum.status",
                "-e", "udp.srcport", "-e", "udp.dstport", "-e", "ipv6.src", "-e", "ipv6.dst")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(Outer)
            .ToList();

    /// <summary>The outer packet's addresses (an ICMP error also shows the quoted packet's), IPv4 or IPv6.</summary>
    private static string[] Outer(string[] fields)
    {
        var outer = fields.Select(value => value.Split(',')[0]).ToArray();
        outer[Src] = outer[Src].Length > 0 ? outer[Src] : outer[Ipv6Src];
        outer[Dst] = outer[Dst].Length > 0 ? outer[Dst] : outer[Ipv6Dst];
        outer[UdpSrcPort] = fields[UdpSrcPort];
        outer[UdpDstPort] = fields[UdpDstPort];
        return outer;
    }
}
