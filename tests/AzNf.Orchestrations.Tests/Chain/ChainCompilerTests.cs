using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Firewall;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests.Chain;

public class ChainCompilerTests
{
    [Fact]
    public void Compile_BlockedAddresses_EveryFirewallStageHoldsThemAndItsRuleLinesStayThoseOfTheFile()
    {
        var text = RuleSetText.FromChainFile(TestChains.FullChainPath);

        var chain = ChainCompiler.Compile(text, ["10.6.6.6", "fd00::66", "not-an-address"]);

        var firewall = Assert.IsType<FirewallDefinition>(chain.Stages[1]);
        Assert.Equal([NetAddress.Parse("10.6.6.6"), NetAddress.Parse("fd00::66")], firewall.Blocklist.Order());
        var loaded = TestChains.Full().Stages.OfType<FirewallDefinition>().Single();
        Assert.Equal(loaded.Rules.Select(r => r.Line), firewall.Rules.Select(r => r.Line));
        Assert.Empty(loaded.Blocklist);
    }

    [Fact]
    public void Compile_RuleFileNotInTheRuleSet_RefusedNamingTheStageAndTheFile()
    {
        var text = new RuleSetText("c.json", """{ "stages": [ { "type": "firewall", "rules": "other.rules" } ] }""",
            new Dictionary<string, string> { ["fw.rules"] = "allow ip from any to any" });

        var error = Assert.Throws<ConfigException>(() => ChainCompiler.Compile(text, []));

        Assert.Equal("c.json: stages[0].rules", error.Where);
        Assert.Contains("'other.rules' is not in the rule set (it holds: fw.rules)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_BadRuleLine_ErrorNamesTheRuleFileAsTheChainNamesIt()
    {
        var text = new RuleSetText("c.json", """{ "stages": [ { "type": "firewall", "rules": "../rules/fw.rules" } ] }""",
            new Dictionary<string, string> { ["../rules/fw.rules"] = "allow ip from any to any\nallow bogus\n" });

        var error = Assert.Throws<ConfigException>(() => ChainCompiler.Compile(text, []));

        Assert.Equal("../rules/fw.rules:2", error.Where);
    }

    [Fact]
    public void Compile_ChainWithDeadlines_KeepsThem()
    {
        var text = new RuleSetText("c.json", """{ "deadlineMs": 9, "stages": [ { "type": "counter", "deadlineMs": 3, "onDeadline": "skip" } ] }""", new Dictionary<string, string>());

        var chain = ChainCompiler.Compile(text, ["10.0.0.1"]);

        Assert.Equal(TimeSpan.FromMilliseconds(9), chain.Deadline);
        Assert.Equal(new StageQos("counter", TimeSpan.FromMilliseconds(3), DeadlinePolicy.Skip), chain.StageDeadlines.Single());
    }
}
