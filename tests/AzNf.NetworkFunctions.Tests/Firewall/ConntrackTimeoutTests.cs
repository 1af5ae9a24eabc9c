using AzNf.NetworkFunctions.Firewall;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>Each state's idle timeout: a connection idle for exactly the timeout lives, one nanosecond more and it is gone.</summary>
public sealed class ConntrackTimeoutTests
{
    private const string AllowAll = "allow ip from any to any\n";

    private static readonly FirewallOptions DistinctTimeouts = new()
    {
        TimeoutNanos = Enumerable.Range(0, ConntrackStates.Count).Select(i => (100L + i) * FirewallHarness.Second).ToArray(),
    };

    public static TheoryData<string, ConntrackState> TcpHistories() => new()
    {
        { "A:S", ConntrackState.SynSent },
        { "A:S B:SA", ConntrackState.SynRecv },
        { "A:S B:SA A:A", ConntrackState.Established },
        { "A:S B:SA A:A A:F", ConntrackState.FinWait },
        { "A:S B:SA A:A A:F B:A", ConntrackState.CloseWait },
        { "A:S B:SA A:A A:F B:F", ConntrackState.LastAck },
        { "A:S B:SA A:A A:F B:F A:A", ConntrackState.TimeWait },
        { "A:S B:SA A:A A:R", ConntrackState.Close },
    };

    [Theory]
    [MemberData(nameof(TcpHistories))]
    public void Process_IdleForExactlyTheStateTimeout_ConnectionLives(string history, ConntrackState state)
    {
        var (harness, conversation) = Replay(history, state);
        harness.Now += DistinctTimeouts.TimeoutNanos[(int)state];

        harness.Send(conversation.Frame("A:A", out _));

        Assert.DoesNotContain(harness.Counters().Keys, name => name.StartsWith("conntrack:timeout:", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TcpHistories))]
    public void Process_IdleLongerThanTheStateTimeout_ConnectionExpiresInThatState(string history, ConntrackState state)
    {
        var (harness, conversation) = Replay(history, state);
        harness.Now += DistinctTimeouts.TimeoutNanos[(int)state] + 1;

        var verdict = harness.Send(conversation.Frame("A:A", out _));

        Assert.Equal(1, harness.Counters()["conntrack:timeout:" + ConntrackStates.Name(state)]);
        Assert.Equal(Verdict.Drop("firewall:invalid-state"), verdict); // the ACK now belongs to no connection
    }

    [Fact]
    public void Process_UdpReplyAfterTimeout_IsNewFromTheOtherSide()
    {
        var options = new FirewallOptions { TimeoutNanos = Timeouts(("udp", 5)) };
        var harness = new FirewallHarness("allow udp from 10.0.0.0/8 to any state new\nallow ip from any to any state established\n", options);
        var client = NetAddress.Parse("10.0.0.1");
        var server = NetAddress.Parse("198.51.100.53");
        harness.Send(PacketBuilder.Udp(client, 33000, server, 53));
        harness.Now += 6 * FirewallHarness.Second;

        var lateReply = harness.Send(PacketBuilder.Udp(server, 53, client, 33000));

        Assert.Equal(Verdict.Drop("firewall:default"), lateReply);
        Assert.Equal(1, harness.Counters()["conntrack:timeout:UDP_UNREPLIED"]);
    }

    [Fact]
    public void Process_ActiveConnection_IdleTimerRestartsOnEachPacket()
    {
        var options = new FirewallOptions { TimeoutNanos = Timeouts(("established", 10)) };
        var harness = new FirewallHarness(AllowAll, options);
        var conversation = new TcpConversation();
        foreach (string step in new[] { "A:S", "B:SA", "A:A" })
        {
            harness.Send(conversation.Frame(step, out _));
        }

        for (int i = 0; i < 5; i++)
        {
            harness.Now += 9 * FirewallHarness.Second;
            Assert.Equal(Verdict.Forward, harness.Send(conversation.Frame(i % 2 == 0 ? "B:D" : "A:D", out _)));
        }

        Assert.Equal(ConntrackState.Established, harness.StateOf(conversation.Frame("A:A", out _)).State);
    }

    private static (FirewallHarness Harness, TcpConversation Conversation) Replay(string history, ConntrackState expected)
    {
        var harness = new FirewallHarness(AllowAll, DistinctTimeouts);
        var conversation = new TcpConversation();
        foreach (string step in history.Split(' '))
        {
            Assert.Equal(Verdict.Forward, harness.Send(conversation.Frame(step, out _)));
        }
        Assert.Equal(expected, harness.StateOf(conversation.Frame("A:A", out _)).State);
        return (harness, conversation);
    }

    private static long[] Timeouts(params (string Field, int Seconds)[] overrides)
    {
        long[] timeouts = FirewallOptions.DefaultTimeouts();
        foreach (var (field, seconds) in overrides)
        {
            timeouts[Array.IndexOf(FirewallOptions.TimeoutFields, field)] = seconds * FirewallHarness.Second;
        }
        return timeouts;
    }
}
