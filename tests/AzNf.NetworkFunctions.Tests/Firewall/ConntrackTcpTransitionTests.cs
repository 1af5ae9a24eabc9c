using AzNf.NetworkFunctions.Firewall;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>
/// Every TCP conntrack transition, table-driven: a history of valid steps, then one step, and
/// the state and connection match it must produce (the table in docs/firewall.md).
/// </summary>
public sealed class ConntrackTcpTransitionTests
{
    private const string Handshake = "A:S B:SA A:A";

    public static TheoryData<string, string, string, string> Transitions() => new()
    {
        // history, step, expected state, expected match
        { "", "A:S", "SYN_SENT", "New" },
        { "", "A:A", "NONE", "Invalid" },
        { "", "B:SA", "NONE", "Invalid" },
        { "", "A:F", "NONE", "Invalid" },
        { "", "A:R", "NONE", "Invalid" },
        { "A:S", "A:S", "SYN_SENT", "New" },
        { "A:S", "B:SA", "SYN_RECV", "Established" },
        { "A:S", "B:S", "SYN_RECV", "Established" },
        { "A:S", "B:RA", "CLOSE", "Established" },
        { "A:S", "A:R", "CLOSE", "New" },
        { "A:S", "A:A", "SYN_SENT", "Invalid" },
        { "A:S", "B:A", "SYN_SENT", "Invalid" },
        { "A:S", "A:SA", "SYN_SENT", "Invalid" },
        { "A:S", "A:F", "SYN_SENT", "Invalid" },
        { "A:S B:SA", "A:A", "ESTABLISHED", "Established" },
        { "A:S B:SA", "A:D", "ESTABLISHED", "Established" },
        { "A:S B:SA", "B:SA", "SYN_RECV", "Established" },
        { "A:S B:SA", "A:S", "SYN_RECV", "Established" },
        { "A:S B:SA", "B:A", "SYN_RECV", "Established" },
        { "A:S B:SA", "A:F", "FIN_WAIT", "Established" },
        { "A:S B:SA", "B:F", "FIN_WAIT", "Established" },
        { "A:S B:SA", "B:R", "CLOSE", "Established" },
        { "A:S B:SA", "A:SA", "SYN_RECV", "Established" },
        { Handshake, "A:D", "ESTABLISHED", "Established" },
        { Handshake, "B:D", "ESTABLISHED", "Established" },
        { Handshake, "B:SA", "ESTABLISHED", "Established" },
        { Handshake, "A:S", "ESTABLISHED", "Invalid" },
        { Handshake, "B:S", "ESTABLISHED", "Invalid" },
        { Handshake, "A:SA", "ESTABLISHED", "Invalid" },
        { Handshake, "A:F", "FIN_WAIT", "Established" },
        { Handshake, "B:F", "FIN_WAIT", "Established" },
        { Handshake, "A:R", "CLOSE", "Established" },
        { Handshake, "B:RA", "CLOSE", "Established" },
        { Handshake, "A:SF", "ESTABLISHED", "Invalid" },
        { Handshake, "A:N", "ESTABLISHED", "Invalid" },
        { Handshake, "A:FO", "ESTABLISHED", "Invalid" },
        { Handshake + " A:F", "B:A", "CLOSE_WAIT", "Established" },
        { Handshake + " A:F", "B:A!", "FIN_WAIT", "Established" },
        { Handshake + " A:F", "A:A", "FIN_WAIT", "Established" },
        { Handshake + " A:F", "B:F", "LAST_ACK", "Established" },
        { Handshake + " A:F", "B:R", "CLOSE", "Established" },
        { Handshake + " A:F", "A:S", "FIN_WAIT", "Invalid" },
        { Handshake + " B:F", "A:A", "CLOSE_WAIT", "Established" },
        { Handshake + " B:F", "A:F", "LAST_ACK", "Established" },
        { Handshake + " A:F B:A", "B:D", "CLOSE_WAIT", "Established" },
        { Handshake + " A:F B:A", "A:A", "CLOSE_WAIT", "Established" },
        { Handshake + " A:F B:A", "B:F", "LAST_ACK", "Established" },
        { Handshake + " A:F B:A", "A:R", "CLOSE", "Established" },
        { Handshake + " A:F B:F", "A:A", "TIME_WAIT", "Established" },
        { Handshake + " A:F B:F", "A:A!", "LAST_ACK", "Established" },
        { Handshake + " A:F B:F", "B:A", "LAST_ACK", "Established" },
        { Handshake + " A:F B:F", "B:R", "CLOSE", "Established" },
        { Handshake + " A:F B:F", "A:SA", "LAST_ACK", "Invalid" },
        // Simultaneous close: each FIN crosses the other, so each side's ACK closes one half.
        { Handshake + " A:F B:F!", "A:A", "LAST_ACK", "Established" },
        { Handshake + " A:F B:F! A:A", "B:A", "TIME_WAIT", "Established" },
        { Handshake + " A:F B:F A:A", "A:A", "TIME_WAIT", "Established" },
        { Handshake + " A:F B:F A:A", "B:F", "TIME_WAIT", "Established" },
        { Handshake + " A:F B:F A:A", "A:R", "CLOSE", "Established" },
        { Handshake + " A:F B:F A:A", "A:S", "SYN_SENT", "New" },
        { Handshake + " A:F B:F A:A", "B:SA", "TIME_WAIT", "Invalid" },
        { Handshake + " A:R", "A:A", "CLOSE", "Established" },
        { Handshake + " A:R", "B:R", "CLOSE", "Established" },
        { Handshake + " A:R", "A:S", "SYN_SENT", "New" },
        { Handshake + " A:R", "B:SA", "CLOSE", "Invalid" },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Track_StepAfterHistory_GivesTableStateAndMatch(string history, string step, string expectedState, string expectedMatch)
    {
        var conversation = new TcpConversation();
        var state = default(ConntrackFlowState);
        long now = 1;
        foreach (string earlier in history.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var earlierPacket = TcpConversation.Parse(conversation.Frame(earlier, out bool earlierFromA));
            var earlierMatch = ConnectionTracker.Track(ref state, earlierPacket, earlierFromA, now++, tcpPickup: false, out _);
            Assert.NotEqual(ConnectionMatch.Invalid, earlierMatch);
        }
        var packet = TcpConversation.Parse(conversation.Frame(step, out bool fromA));

        var match = ConnectionTracker.Track(ref state, packet, fromA, now, tcpPickup: false, out _);

        Assert.Equal(expectedState, ConntrackStates.Name(state.State));
        Assert.Equal(expectedMatch, match.ToString());
    }

    [Fact]
    public void Track_InvalidPacket_LeavesStateAndLastSeenUntouched()
    {
        var conversation = new TcpConversation();
        var state = default(ConntrackFlowState);
        ConnectionTracker.Track(ref state, TcpConversation.Parse(conversation.Frame("A:S", out _)), true, 10, false, out _);
        var before = state;

        var match = ConnectionTracker.Track(ref state, TcpConversation.Parse(conversation.Frame("A:A", out _)), true, 20, false, out _);

        Assert.Equal(ConnectionMatch.Invalid, match);
        Assert.Equal(before, state);
    }

    [Fact]
    public void Track_MidStreamAckWithPickup_OpensEstablishedConnectionAsNew()
    {
        var conversation = new TcpConversation();
        var state = default(ConntrackFlowState);
        var packet = TcpConversation.Parse(conversation.Frame("A:A", out bool fromA));

        var match = ConnectionTracker.Track(ref state, packet, fromA, 1, tcpPickup: true, out bool opens);

        Assert.Equal(ConnectionMatch.New, match);
        Assert.True(opens);
        Assert.Equal(ConntrackState.Established, state.State);
    }

    [Theory]
    [InlineData("A:S", true)]
    [InlineData("B:S", false)]
    public void Track_SynAfterTimeWait_OpensConnectionOrientedToItsSender(string step, bool expectedFromFlowA)
    {
        var conversation = new TcpConversation();
        var state = default(ConntrackFlowState);
        foreach (string earlier in (Handshake + " A:F B:F A:A").Split(' '))
        {
            var earlierPacket = TcpConversation.Parse(conversation.Frame(earlier, out bool earlierFromA));
            ConnectionTracker.Track(ref state, earlierPacket, earlierFromA, 1, false, out _);
        }
        var packet = TcpConversation.Parse(conversation.Frame(step, out bool fromA));

        var match = ConnectionTracker.Track(ref state, packet, fromA, 2, false, out bool opens);

        Assert.True(opens);
        Assert.Equal(ConnectionMatch.New, match);
        Assert.Equal(ConntrackState.SynSent, state.State);
        Assert.Equal(!expectedFromFlowA, state.OriginatorIsFlowB);
        Assert.False(state.Has(ConntrackFlags.FinFromOriginator));
    }
}
