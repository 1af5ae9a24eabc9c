using AzNf.NetworkFunctions.Firewall;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>Rule order, default policy and state matching as seen through whole conversations.</summary>
public sealed class FirewallRulePolicyTests
{
    private static readonly NetAddress Inside = NetAddress.Parse("10.0.0.1");
    private static readonly NetAddress Outside = NetAddress.Parse("198.51.100.7");

    [Fact]
    public void Process_TwoMatchingRules_FirstOneDecides()
    {
        var denyFirst = new FirewallHarness("deny tcp from any to any port 80\nallow tcp from any to any port 80\n");
        var allowFirst = new FirewallHarness("allow tcp from any to any port 80\ndeny tcp from any to any port 80\n");
        var syn = new TcpConversation().Frame("A:S", out _);

        var denied = denyFirst.Send(syn);
        var allowed = allowFirst.Send(syn);

        Assert.Equal(Verdict.Drop("firewall:rule:1"), denied);
        Assert.Equal(Verdict.Forward, allowed);
        Assert.Equal(1, denyFirst.Counters()["rule:1:hits"]);
        Assert.Equal(0, denyFirst.Counters()["rule:2:hits"]);
    }

    [Theory]
    [InlineData(FirewallAction.Deny, true)]
    [InlineData(FirewallAction.Allow, false)]
    public void Process_NoRuleMatches_DefaultPolicyDecides(FirewallAction policy, bool expectedDrop)
    {
        var harness = new FirewallHarness("allow udp from any to any port 53\n", new FirewallOptions { DefaultPolicy = policy });

        var verdict = harness.Send(new TcpConversation().Frame("A:S", out _));

        Assert.Equal(expectedDrop, verdict.IsDrop);
        Assert.Equal(expectedDrop ? "firewall:default" : null, verdict.Reason);
        Assert.Equal(1, harness.Counters()["default:hits"]);
    }

    [Fact]
    public void Process_EstablishedOnlyReturnRule_LetsRepliesOfAllowedConnectionsThrough()
    {
        var harness = new FirewallHarness(
            "allow tcp from 10.0.0.0/8 to any port 80 state new\nallow ip from any to any state established\n");
        var conversation = new TcpConversation(Inside, Outside);
        string[] steps = ["A:S", "B:SA", "A:A", "A:D", "B:D", "B:D", "A:A", "A:F", "B:F", "A:A"];

        var verdicts = steps.Select(step => harness.Send(conversation.Frame(step, out _))).ToList();

        Assert.All(verdicts, verdict => Assert.Equal(Verdict.Forward, verdict));
        Assert.Equal(ConntrackState.TimeWait, harness.StateOf(conversation.Frame("A:A", out _)).State);
        var counters = harness.Counters();
        Assert.Equal(1, counters["rule:1:hits"]);
        Assert.Equal(steps.Length - 1, counters["rule:2:hits"]);
    }

    [Fact]
    public void Process_ConnectionFromOutside_IsDeniedAndItsRepliesAreInvalid()
    {
        var harness = new FirewallHarness(
            "allow tcp from 10.0.0.0/8 to any port 80 state new\nallow ip from any to any state established\n");
        var conversation = new TcpConversation(Outside, Inside, 40000, 80);

        var syn = harness.Send(conversation.Frame("A:S", out _));
        var synAck = harness.Send(conversation.Frame("B:SA", out _));
        var ack = harness.Send(conversation.Frame("A:A", out _));

        Assert.Equal(Verdict.Drop("firewall:default"), syn);
        Assert.Equal(Verdict.Drop("firewall:invalid-state"), synAck);
        Assert.Equal(Verdict.Drop("firewall:invalid-state"), ack);
        var counters = harness.Counters();
        Assert.Equal(1, counters["conntrack:refused"]);
        Assert.Equal(0, counters["conntrack:opened"]);
        Assert.Equal(2, counters["drops:invalid-state"]);
        Assert.Equal(1, counters["drops:default"]);
    }

    [Fact]
    public void Process_MidStreamAckWithoutConnection_IsInvalidEvenIfRulesWouldAllowIt()
    {
        var harness = new FirewallHarness("allow ip from any to any state established\nallow tcp from any to any port 80\n");

        var verdict = harness.Send(new TcpConversation().Frame("A:D", out _));

        Assert.Equal(Verdict.Drop("firewall:invalid-state"), verdict);
    }

    [Fact]
    public void Process_InvalidPolicyRules_LetsStateInvalidRulesDecide()
    {
        var options = new FirewallOptions { InvalidPolicy = InvalidPacketPolicy.Rules };
        var harness = new FirewallHarness("deny tcp from any to any port 22 state invalid\nallow tcp from any to any state invalid\n", options);

        var toWeb = harness.Send(new TcpConversation().Frame("A:D", out _));
        var toSsh = harness.Send(new TcpConversation(Inside, Outside, 40001, 22).Frame("A:D", out _));

        Assert.Equal(Verdict.Forward, toWeb);
        Assert.Equal(Verdict.Drop("firewall:rule:1"), toSsh);
        Assert.Equal(2, harness.Counters()["conntrack:invalid"]);
    }

    [Fact]
    public void Process_TcpPickup_TreatsMidStreamPacketAsNewConnection()
    {
        var options = new FirewallOptions { TcpPickup = true };
        var harness = new FirewallHarness("allow tcp from any to any port 80 state new\nallow tcp from any to any state established\n", options);
        var conversation = new TcpConversation();

        var first = harness.Send(conversation.Frame("A:D", out _));
        var reply = harness.Send(conversation.Frame("B:D", out _));

        Assert.Equal(Verdict.Forward, first);
        Assert.Equal(Verdict.Forward, reply);
        Assert.Equal(ConntrackState.Established, harness.StateOf(conversation.Frame("A:A", out _)).State);
    }

    [Fact]
    public void Process_IPv6Connection_MatchesIPv6RulesOnly()
    {
        var harness = new FirewallHarness(
            "allow tcp from 10.0.0.0/8 to any port 443\nallow tcp from fd00::/8 to 2001:db8::/32 port 443 state new\nallow tcp from any to any state established\n");
        var conversation = new TcpConversation(NetAddress.Parse("fd00::5"), NetAddress.Parse("2001:db8::443"), 50000, 443);
        var outsider = new TcpConversation(NetAddress.Parse("fe80::5"), NetAddress.Parse("2001:db8::443"), 50000, 443);

        var verdicts = new[] { "A:S", "B:SA", "A:A" }.Select(step => harness.Send(conversation.Frame(step, out _))).ToList();
        var outsiderSyn = harness.Send(outsider.Frame("A:S", out _));

        Assert.All(verdicts, verdict => Assert.Equal(Verdict.Forward, verdict));
        Assert.Equal(Verdict.Drop("firewall:default"), outsiderSyn);
        Assert.Equal(1, harness.Counters()["rule:2:hits"]);
        Assert.Equal(0, harness.Counters()["rule:1:hits"]);
    }

    [Fact]
    public void Process_AnyProtocolRuleWithoutPorts_MatchesLaterFragments()
    {
        var harness = new FirewallHarness("deny tcp from any to any port 80\nallow tcp from any to any\n");
        var fragment = PacketBuilder.Tcp(Inside, 40000, Outside, 80, TcpFlags.Syn, 1, 0);
        fragment[14 + 6] = 0x00;
        fragment[14 + 7] = 0x10; // fragment offset 16 x 8 bytes: no TCP header in this fragment

        var verdict = harness.Send(fragment);

        Assert.Equal(Verdict.Forward, verdict);
        Assert.Equal(1, harness.Counters()["rule:2:hits"]);
    }
}
