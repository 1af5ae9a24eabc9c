using AzNf.NetworkFunctions.Firewall;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>A 5-tuple reused by a later connection (source-port reuse) after TIME_WAIT or CLOSE.</summary>
public sealed class ConnectionReuseTests
{
    private const string InsideOut =
        "allow tcp from 10.0.0.1 to any state new\nallow tcp from any to any state established\n";

    private static readonly NetAddress Inside = NetAddress.Parse("10.0.0.1");
    private static readonly NetAddress Outside = NetAddress.Parse("198.51.100.80");

    [Theory]
    [InlineData("A:S B:SA A:A A:F B:F A:A", "TIME_WAIT")]
    [InlineData("A:S B:SA A:A B:R", "CLOSE")]
    public void Process_NewSynAfterClose_StartsSecondConnection(string firstConnection, string closedState)
    {
        var harness = new FirewallHarness(InsideOut);
        var conversation = new TcpConversation(Inside, Outside);
        foreach (string step in firstConnection.Split(' '))
        {
            Assert.Equal(Verdict.Forward, harness.Send(conversation.Frame(step, out _)));
        }

        var verdicts = new[] { "A:S", "B:SA", "A:A", "B:D" }.Select(step => harness.Send(conversation.Frame(step, out _))).ToList();

        Assert.All(verdicts, verdict => Assert.Equal(Verdict.Forward, verdict));
        var counters = harness.Counters();
        Assert.Equal(2, counters["conntrack:opened"]);
        Assert.Equal(1, counters[$"conntrack:{closedState}->SYN_SENT"]);
        Assert.Equal(ConntrackState.Established, harness.StateOf(conversation.Frame("A:A", out _)).State);
    }

    [Fact]
    public void Process_ReusedTupleOpenedFromTheOtherSide_IsJudgedForItsOwnDirection()
    {
        var harness = new FirewallHarness(InsideOut);
        var conversation = new TcpConversation(Inside, Outside);
        foreach (string step in "A:S B:SA A:A A:F B:F A:A".Split(' '))
        {
            harness.Send(conversation.Frame(step, out _));
        }

        // Same 5-tuple, but now the outside host opens: the cached "allow new" of the first
        // connection belonged to the inside host's direction and must not be reused.
        var reverseSyn = harness.Send(conversation.Frame("B:S", out _));
        var insideAnswer = harness.Send(conversation.Frame("A:SA", out _));

        Assert.Equal(Verdict.Drop("firewall:default"), reverseSyn);
        Assert.Equal(Verdict.Drop("firewall:invalid-state"), insideAnswer);
    }

    [Fact]
    public void Process_SynInTimeWaitAfterReverseRefusal_IsAllowedAgainFromInside()
    {
        var harness = new FirewallHarness(InsideOut);
        var conversation = new TcpConversation(Inside, Outside);
        foreach (string step in "A:S B:SA A:A A:F B:F A:A B:S".Split(' '))
        {
            harness.Send(conversation.Frame(step, out _));
        }

        var insideSyn = harness.Send(conversation.Frame("A:S", out _));

        Assert.Equal(Verdict.Forward, insideSyn);
        Assert.False(harness.StateOf(conversation.Frame("A:A", out _)).OriginatorIsFlowB);
    }
}
