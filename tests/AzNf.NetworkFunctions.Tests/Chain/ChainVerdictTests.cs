using AzNf.Packets.Parsing;
using static AzNf.NetworkFunctions.Tests.TestPackets;

namespace AzNf.NetworkFunctions.Tests.Chain;

public class ChainVerdictTests
{
    private const long Second = 1_000_000_000;

    private static PartitionDriver Chain()
    {
        string folder = Path.Combine(Path.GetTempPath(), "aznf-verdicts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "fw.rules"), """
            deny tcp from any to any port 23
            allow ip from any to any
            """);
        File.WriteAllText(Path.Combine(folder, "ids.rules"), """
            alert tcp any any -> any any (msg:"any tcp"; flags:S; sid:1;)
            drop tcp any any -> any 80 (msg:"evil"; content:"evil"; sid:2;)
            """);
        string json = """
            { "stages": [ { "type": "counter" },
                          { "type": "firewall", "rules": "fw.rules" },
                          { "type": "ids", "rules": "ids.rules" } ] }
            """;
        return new PartitionDriver(new AzNf.NetworkFunctions.Chain.ChainPartition(
            AzNf.NetworkFunctions.Chain.ChainDefinition.Parse(json, "verdicts.json", folder), 0));
    }

    [Fact]
    public void Process_FirewallDrop_LaterStagesNeverSeeThePacket()
    {
        var driver = Chain();

        var verdict = driver.Send(Tcp(true, TcpFlags.Syn, serverPort: 23), Second);

        Assert.Equal(Verdict.Drop("firewall:rule:1"), verdict);
        var stages = driver.Partition.StageCounters;
        Assert.Equal((1, 1, 0), (stages[0].PacketsIn, stages[0].PacketsOut, stages[0].Drops));
        Assert.Equal((1, 0, 1), (stages[1].PacketsIn, stages[1].PacketsOut, stages[1].Drops));
        Assert.Equal(0, stages[2].PacketsIn);
        Assert.Empty(driver.Partition.Alerts.Alerts);
        Assert.Equal(1, driver.Partition.Dropped);
        Assert.Equal(1, driver.Partition.DropsByReason["firewall:rule:1"]);
    }

    [Fact]
    public void Process_AllowedPacket_EveryStageSeesItAndTheIdsAlerts()
    {
        var driver = Chain();

        var verdict = driver.Send(Tcp(true, TcpFlags.Syn, serverPort: 80), Second);

        Assert.Equal(Verdict.Forward, verdict);
        Assert.All(driver.Partition.StageCounters, s => Assert.Equal((1, 1), (s.PacketsIn, s.PacketsOut)));
        Assert.Equal(1, Assert.Single(driver.Partition.Alerts.Alerts).Sid);
        Assert.Equal(1, driver.Partition.Forwarded);
    }

    [Fact]
    public void Process_IdsDropRule_DropsAfterTheCounterCountedIt()
    {
        var driver = Chain();
        driver.Send(Tcp(true, TcpFlags.Syn, seq: 100), Second);
        driver.Send(Tcp(false, TcpFlags.Syn | TcpFlags.Ack, seq: 500, ack: 101), Second);
        driver.Send(Tcp(true, TcpFlags.Ack, seq: 101, ack: 501), Second);

        var verdict = driver.Send(Tcp(true, TcpFlags.Ack | TcpFlags.Psh, seq: 101, ack: 501, payload: "GET /evil HTTP/1.1\r\n\r\n"), 2 * Second);
        var flows = driver.Finish();

        Assert.True(verdict.IsDrop);
        Assert.StartsWith("ids:", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal(3, Assert.Single(flows).PacketsAToB);
        Assert.Equal(1, driver.Partition.StageCounters[2].Drops);
        Assert.Contains(driver.Partition.Alerts.Alerts, a => a.Sid == 2 && a.Action == "drop");
    }
}
