using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Tests.Chain;
using AzNf.Packets.Parsing;
using static AzNf.NetworkFunctions.Tests.TestPackets;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>The blocklist is data the firewall checks before conntrack and its rules, with its own drop reason.</summary>
public class FirewallBlocklistTests
{
    private const long Second = 1_000_000_000;

    private static (PartitionDriver Driver, ChainDefinition Chain) Chain(params NetAddress[] blocked)
    {
        var rules = new Dictionary<string, string> { ["fw.rules"] = "deny tcp from any to any port 23\nallow ip from any to any\n" };
        var chain = ChainDefinition.Parse(
            """{ "stages": [ { "type": "counter" }, { "type": "firewall", "rules": "fw.rules" } ] }""",
            "blocklist.json",
            RuleSource.Texts(rules),
            blocked.ToHashSet());
        return (new PartitionDriver(new ChainPartition(chain, 0)), chain);
    }

    private static Dictionary<string, long> FirewallCounters(PartitionDriver driver)
    {
        var counters = new Dictionary<string, long>();
        driver.Partition.Stages[1].ReportCounters(counters);
        return counters;
    }

    [Fact]
    public void Process_SourceOnTheBlocklist_DroppedAsBlocklistEvenWhenARuleAllowsIt()
    {
        var (driver, chain) = Chain(Client);

        var fromBlocked = driver.Send(Tcp(true, TcpFlags.Syn, serverPort: 80), Second);
        var toBlocked = driver.Send(Tcp(false, TcpFlags.Syn, clientPort: 41000, serverPort: 80), Second);

        Assert.Equal(Verdict.Drop("firewall:blocklist"), fromBlocked);
        Assert.Equal(Verdict.Forward, toBlocked);
        var counters = FirewallCounters(driver);
        Assert.Equal((1, 1), (counters["drops:blocklist"], counters["conntrack:opened"]));
        Assert.Equal(1, chain.Stages[1].Counters["blocklist:entries"]);
        Assert.Equal(1, driver.Partition.DropsByReason["firewall:blocklist"]);
    }

    [Fact]
    public void Process_Blocklist_RuleDropReasonsKeepTheFilesLineNumbers()
    {
        var (driver, _) = Chain(NetAddress.Parse("203.0.113.9"));

        var telnet = driver.Send(Tcp(true, TcpFlags.Syn, serverPort: 23), Second);

        Assert.Equal(Verdict.Drop("firewall:rule:1"), telnet);
    }
}
