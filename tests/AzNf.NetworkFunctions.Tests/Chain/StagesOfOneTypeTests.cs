using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;
using static AzNf.NetworkFunctions.Tests.TestPackets;

namespace AzNf.NetworkFunctions.Tests.Chain;

/// <summary>
/// Two stages of one NF type (per-tenant policies) each run on their own per-flow state and
/// report their own counters; the engine counts every flow's packets whatever the stages.
/// </summary>
public sealed class StagesOfOneTypeTests : IDisposable
{
    private const long Second = 1_000_000_000;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aznf-two-of-a-kind-" + Guid.NewGuid().ToString("N"));

    public StagesOfOneTypeTests() => Directory.CreateDirectory(_folder);

    private PartitionDriver Chain(string json, params (string Name, string Text)[] files)
    {
        foreach (var (name, text) in files)
        {
            File.WriteAllText(Path.Combine(_folder, name), text);
        }
        return new PartitionDriver(new ChainPartition(ChainDefinition.Parse(json, "two.json", _folder), 0));
    }

    private PartitionDriver TwoFirewalls() => Chain(
        """
        { "stages": [ { "name": "edge", "type": "firewall", "rules": "edge.rules" },
                      { "name": "tenant", "type": "firewall", "rules": "tenant.rules" } ] }
        """,
        ("edge.rules", "deny tcp from any to any port 23\nallow ip from any to any\n"),
        ("tenant.rules", "deny tcp from any to any port 25\nallow ip from any to any\n"));

    private static Dictionary<string, long> Counters(PartitionDriver driver, int stage)
    {
        var counters = new Dictionary<string, long>();
        driver.Partition.Stages[stage].ReportCounters(counters);
        return counters;
    }

    [Fact]
    public void TwoFirewalls_EachAppliesItsOwnRules()
    {
        var driver = TwoFirewalls();

        var telnet = driver.Send(Tcp(true, TcpFlags.Syn, clientPort: 40001, serverPort: 23), Second);
        var smtp = driver.Send(Tcp(true, TcpFlags.Syn, clientPort: 40002, serverPort: 25), Second);
        var web = driver.Send(Tcp(true, TcpFlags.Syn, clientPort: 40003, serverPort: 80), Second);

        Assert.Equal(Verdict.Drop("edge/firewall:rule:1"), telnet);
        Assert.Equal(Verdict.Drop("tenant/firewall:rule:1"), smtp);
        Assert.Equal(1, driver.Partition.DropsByReason["edge/firewall:rule:1"]);
        Assert.Equal(1, driver.Partition.DropsByReason["tenant/firewall:rule:1"]);
        Assert.Equal(Verdict.Forward, web);
        Assert.Equal((3, 1), (driver.Partition.StageCounters[0].PacketsIn, driver.Partition.StageCounters[0].Drops));
        Assert.Equal((2, 1), (driver.Partition.StageCounters[1].PacketsIn, driver.Partition.StageCounters[1].Drops));
        Assert.Equal((1, 2), (Counters(driver, 0)["conntrack:refused"], Counters(driver, 0)["conntrack:opened"]));
        Assert.Equal((1, 1), (Counters(driver, 1)["conntrack:refused"], Counters(driver, 1)["conntrack:opened"]));
    }

    [Fact]
    public void TwoFirewalls_WholeConnection_EachTracksItOnce()
    {
        var driver = TwoFirewalls();
        byte[][] connection =
        [
            Tcp(true, TcpFlags.Syn, seq: 100),
            Tcp(false, TcpFlags.Syn | TcpFlags.Ack, seq: 500, ack: 101),
            Tcp(true, TcpFlags.Ack, seq: 101, ack: 501),
            Tcp(true, TcpFlags.Ack | TcpFlags.Psh, seq: 101, ack: 501, payload: "hello"),
            Tcp(false, TcpFlags.Ack, seq: 501, ack: 106),
        ];

        var verdicts = connection.Select(frame => driver.Send(frame, Second)).ToList();

        // Had the two stages shared one conntrack state, the second would see each packet's
        // state already advanced by the first and call the handshake invalid.
        Assert.All(verdicts, v => Assert.Equal(Verdict.Forward, v));
        var edge = Counters(driver, 0);
        var tenant = Counters(driver, 1);
        Assert.Equal(0, edge["conntrack:invalid"]);
        Assert.Equal(0, tenant["conntrack:invalid"]);
        Assert.Equal(edge.Where(c => c.Key.StartsWith("conntrack:", StringComparison.Ordinal)), tenant.Where(c => c.Key.StartsWith("conntrack:", StringComparison.Ordinal)));
        Assert.Equal(1, edge["conntrack:SYN_SENT->SYN_RECV"]);
    }

    [Fact]
    public void TwoIdss_DifferentRuleSets_EachReassemblesAndAlertsOnTheStream()
    {
        var driver = Chain(
            """
            { "stages": [ { "name": "ids-a", "type": "ids", "rules": "a.rules" },
                          { "name": "ids-b", "type": "ids", "rules": "b.rules" } ] }
            """,
            ("a.rules", "alert tcp any any -> any any (msg:\"passwd\"; flow:established,to_server; content:\"/etc/passwd\"; sid:11;)\n"),
            ("b.rules", "alert tcp any any -> any any (msg:\"shadow\"; flow:established,to_server; content:\"shadow HTTP\"; sid:22;)\n"));
        var frames = new Ids.TcpConversation("192.168.1.20", 40000, "10.0.0.10", 80)
            .Handshake()
            .Client("GET /etc/pa")
            .Client("sswd /etc/sha")
            .Client("dow HTTP/1.0\r\n\r\n")
            .Close()
            .Frames;

        long t = Second;
        foreach (var frame in frames)
        {
            driver.Send(frame, t += 1000);
        }
        var flows = driver.Finish();

        Assert.Equal(new[] { (11, "ids-a"), (22, "ids-b") }, driver.Partition.Alerts.Alerts.Select(a => (a.Sid, a.Stage)).Order());
        Assert.Single(flows);
        Assert.Equal(0, Counters(driver, 0)["stream:slots-in-use"]);
        Assert.Equal(0, Counters(driver, 1)["stream:slots-in-use"]);
    }

    [Fact]
    public void ChainWithoutCounter_FlowsStillCountPacketsAndBytes()
    {
        var driver = TwoFirewalls();
        var syn = Tcp(true, TcpFlags.Syn, seq: 100);
        var synAck = Tcp(false, TcpFlags.Syn | TcpFlags.Ack, seq: 500, ack: 101);
        var ack = Tcp(true, TcpFlags.Ack, seq: 101, ack: 501);

        driver.Send(syn, Second);
        driver.Send(synAck, Second);
        driver.Send(ack, Second);
        var flow = Assert.Single(driver.Finish());

        Assert.Equal((2, 1), (flow.PacketsAToB, flow.PacketsBToA));
        Assert.Equal((syn.Length + ack.Length, (long)synAck.Length), (flow.BytesAToB, flow.BytesBToA));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
