using AzNf.NetworkFunctions.Firewall;

namespace AzNf.NetworkFunctions.Tests.Firewall;

public sealed class FirewallCounterTests
{
    [Fact]
    public void ReportCounters_FullConnection_CountsEveryTransitionOnce()
    {
        var harness = new FirewallHarness("allow tcp from any to any\n");
        var conversation = new TcpConversation();
        foreach (string step in "A:S B:SA A:A A:D B:D A:F B:F A:A".Split(' '))
        {
            harness.Send(conversation.Frame(step, out _));
        }

        var counters = harness.Counters();

        var transitions = counters.Where(c => c.Key.StartsWith("conntrack:", StringComparison.Ordinal) && c.Key.Contains("->", StringComparison.Ordinal))
            .ToDictionary(c => c.Key, c => c.Value);
        Assert.Equal(
            new Dictionary<string, long>
            {
                ["conntrack:NONE->SYN_SENT"] = 1,
                ["conntrack:SYN_SENT->SYN_RECV"] = 1,
                ["conntrack:SYN_RECV->ESTABLISHED"] = 1,
                ["conntrack:ESTABLISHED->FIN_WAIT"] = 1,
                ["conntrack:FIN_WAIT->LAST_ACK"] = 1,
                ["conntrack:LAST_ACK->TIME_WAIT"] = 1,
            },
            transitions);
        Assert.Equal(8, counters["packets"]);
        Assert.Equal(8, counters["forwarded"]);
        Assert.Equal(8, counters["rule:1:hits"]);
        Assert.Equal(1, counters["conntrack:opened"]);
        Assert.Equal(1, harness.Definition.Counters["rules:loaded"]);
    }

    [Fact]
    public void ReportCounters_TwoPartitions_SumsTrafficRuleCountsComeFromTheDefinition()
    {
        var options = new FirewallOptions { OnBadRule = BadRulePolicy.SkipRule };
        var first = new FirewallHarness("deny tcp from any to any\nnot a rule\n", options);
        var second = new FirewallHarness("deny tcp from any to any\nnot a rule\n", options);
        first.Send(new TcpConversation().Frame("A:S", out _));
        second.Send(new TcpConversation().Frame("A:S", out _));
        var merged = new Dictionary<string, long>();

        first.Instance.ReportCounters(merged);
        second.Instance.ReportCounters(merged);

        Assert.Equal(2, merged["drops:rule:1"]);
        Assert.Equal(2, merged["dropped"]);
        Assert.False(merged.ContainsKey("rules:loaded"));
        Assert.Equal((1, 1), (first.Definition.Counters["rules:loaded"], first.Definition.Counters["rules:rejected"]));
    }

    [Fact]
    public void Process_SameCaptureTwice_GivesSameVerdictsAndCounters()
    {
        const string Rules = "allow tcp from 10.0.0.0/8 to any port 80 state new\nallow ip from any to any state established\n";
        var first = new FirewallHarness(Rules);
        var second = new FirewallHarness(Rules);
        string[] steps = "A:S B:SA A:A A:D B:D B:S A:F B:A B:F A:A A:S".Split(' ');
        var firstConversation = new TcpConversation();
        var secondConversation = new TcpConversation();

        var firstVerdicts = steps.Select(step => first.Send(firstConversation.Frame(step, out _))).ToList();
        var secondVerdicts = steps.Select(step => second.Send(secondConversation.Frame(step, out _))).ToList();

        Assert.Equal(firstVerdicts, secondVerdicts);
        Assert.Equal(first.Counters().OrderBy(c => c.Key), second.Counters().OrderBy(c => c.Key));
        Assert.Contains(firstVerdicts, verdict => verdict.IsDrop); // the stray B:S is invalid
    }
}
