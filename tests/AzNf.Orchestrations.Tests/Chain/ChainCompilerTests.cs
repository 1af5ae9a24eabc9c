using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Firewall;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Tests.Chain;

public class ChainCompilerTests
{
    [Fact]
    public void Compile_BlockedAddresses_OneDenyRuleFirstInEveryFirewallStage()
    {
        var text = RuleSetText.FromChainFile(TestChains.FullChainPath);

        var chain = ChainCompiler.Compile(text, ["10.6.6.6", "fd00::66", "not-an-address"]);

        var firewall = Assert.IsType<FirewallDefinition>(chain.Stages[1]);
        Assert.Equal(1, firewall.Rules[0].Line);
        Assert.Equal(firewall.Rules.Count - 1, ChainCompiler.Compile(text, []).Stages.OfType<FirewallDefinition>().Single().Rules.Count);
    }

    [Fact]
    public void Compile_NoBlocklist_RuleLinesAsInTheFile()
    {
        var text = RuleSetText.FromChainFile(TestChains.FullChainPath);

        var compiled = ChainCompiler.Compile(text, []).Stages.OfType<FirewallDefinition>().Single();
        var loaded = TestChains.Full().Stages.OfType<FirewallDefinition>().Single();

        Assert.Equal(loaded.Rules.Select(r => r.Line), compiled.Rules.Select(r => r.Line));
    }

    [Fact]
    public void Compile_RuleFileOutsideTheRuleSet_Refused()
    {
        var text = new RuleSetText("c.json", """{ "stages": [ { "type": "firewall", "rules": "../../../../x.rules" } ] }""",
            new Dictionary<string, string> { ["../../../../x.rules"] = "allow ip from any to any" });

        var error = Assert.Throws<ConfigException>(() => ChainCompiler.Compile(text, []));

        Assert.Contains("lies outside the rule set", error.Message, StringComparison.Ordinal);
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
