using AzNf.NetworkFunctions.Ids;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>TCP stream reassembly: contents across segments, order, overlaps, limits, pooling.</summary>
public sealed class IdsStreamTests
{
    private static TcpConversation Conversation() => new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake();

    [Fact]
    public void Content_SplitAcrossTwoSegments_AlertsOnSecondSegment()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"SPLITPATTERN\"; sid:1;)");
        var frames = Conversation().Client("xxSPLIT").Client("PATTERNyy").Frames;

        harness.SendAll(frames);

        var alert = Assert.Single(harness.Alerts.Alerts);
        Assert.Equal(6, alert.PacketIndex);
    }

    [Fact]
    public void Content_SplitAcrossThreeSegments_Alerts()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"ABCDEFGHI\"; sid:1;)");

        harness.SendAll(Conversation().Client("xAB").Client("CDEFG").Client("HIx").Frames);

        Assert.Equal(new[] { 1 }, harness.AlertedSids);
    }

    [Fact]
    public void RelativeContents_InDifferentSegments_Alert()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"BEGIN\"; content:\"FINISH\"; distance:0; sid:1;)");

        harness.SendAll(Conversation().Client("BEGIN here").Client("and FINISH").Frames);

        Assert.Equal(new[] { 1 }, harness.AlertedSids);
    }

    [Fact]
    public void SplitContent_WithoutHandshake_NotReassembled()
    {
        // Like Suricata with stream.midstream off, a flow picked up mid-stream gets packet inspection only.
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"SPLITPATTERN\"; sid:1;)");
        var frames = Conversation().Client("xxSPLIT").Client("PATTERNyy").Frames.Skip(3);

        harness.SendAll(frames);

        Assert.Empty(harness.Alerts.Alerts);
    }

    [Fact]
    public void Segments_OutOfOrder_ReassembledInSequenceOrder()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"OUTOFORDER\"; sid:1;)");

        harness.SendAll(Conversation().ClientOutOfOrder("xxOUTOF", "ORDERyy").Frames);

        var alert = Assert.Single(harness.Alerts.Alerts);
        Assert.Equal(5, alert.PacketIndex);
        var counters = new Dictionary<string, long>();
        harness.Detector.ReportCounters(counters);
        Assert.Equal(1, counters["stream:out-of-order-segments"]);
    }

    [Fact]
    public void OverlappingResend_FirstSeenBytesWin()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"SECONDSEEN\"; sid:1;)\nalert tcp any any -> any any (content:\"FIRSTSEENN\"; sid:2;)");

        harness.SendAll(Conversation().Client("xxFIRSTSEEN").ClientRetransmit(9, "SECONDSEEN").Frames);

        Assert.Equal(new[] { 2 }, harness.AlertedSids);
    }

    [Fact]
    public void BufferedSegmentsFull_GapGivenUpAndStreamContinues()
    {
        var harness = new IdsTestHarness(
            "alert tcp any any -> any any (content:\"CDEF\"; sid:1;)",
            new IdsOptions { MaxBufferedSegments = 1 });
        var client = NetAddress.Parse("10.0.0.1");
        var server = NetAddress.Parse("10.0.0.2");
        var frames = Conversation().Frames;
        // Stream starts at 1001; bytes 1001..1002 ("AB") never arrive.
        frames.Add(PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Ack | TcpFlags.Psh, 1003, 50001, "CD"u8));
        frames.Add(PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Ack | TcpFlags.Psh, 1005, 50001, "EF"u8));

        harness.SendAll(frames);

        Assert.Equal(new[] { 1 }, harness.AlertedSids);
        var counters = new Dictionary<string, long>();
        harness.Detector.ReportCounters(counters);
        Assert.Equal(1, counters["stream:gaps-skipped"]);
    }

    [Fact]
    public void StreamDepth_BytesPastDepthNotReassembled()
    {
        var harness = new IdsTestHarness(
            "alert tcp any any -> any any (content:\"SPLITPATTERN\"; sid:1;)",
            new IdsOptions { StreamDepthBytes = 8 });

        harness.SendAll(Conversation().Client("xxxSPLIT").Client("PATTERN").Frames);

        Assert.Empty(harness.Alerts.Alerts);
    }

    [Fact]
    public void StreamWindow_KeepsOnlyTail_MatchSpanningMoreIsMissed()
    {
        var options = new IdsOptions { StreamWindowBytes = 4 };
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"ABCDEFGH\"; sid:1;)", options);

        harness.SendAll(Conversation().Client("xxABC").Client("DEF").Client("GH").Frames);

        Assert.Empty(harness.Alerts.Alerts);
    }

    [Fact]
    public void StreamMatch_AlreadyReported_NotRepeatedOnLaterSegments()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"SPLITPATTERN\"; sid:1;)");

        harness.SendAll(Conversation().Client("xxSPLIT").Client("PATTERN").Client("more").Client("data").Frames);

        Assert.Single(harness.Alerts.Alerts);
    }

    [Fact]
    public void OffsetDepth_OnStream_AreAbsoluteStreamPositions()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"MAGIC\"; offset:2; depth:6; sid:1;)");

        // MAGIC spans stream bytes 3..7 (inside [2, 8)), split across segments.
        harness.SendAll(Conversation().Client("xxxMA").Client("GIC").Frames);

        Assert.Equal(new[] { 1 }, harness.AlertedSids);
    }

    [Fact]
    public void Directions_ReassembledSeparately()
    {
        var harness = new IdsTestHarness("alert tcp any any <> any any (content:\"ABCD\"; sid:1;)");

        harness.SendAll(Conversation().Client("xAB").Server("CDx").Frames);

        Assert.Empty(harness.Alerts.Alerts);
    }

    [Fact]
    public void FlowEnd_ReturnsStreamSlotForReuse()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"SPLITPATTERN\"; sid:1;)");
        harness.SendAll(Conversation().Client("xxSPLIT").Frames);
        var counters = new Dictionary<string, long>();
        harness.Detector.ReportCounters(counters);
        Assert.Equal(1, counters["stream:slots-in-use"]);

        harness.EndAllFlows();
        harness.SendAll(Conversation().Client("PATTERN").Frames);

        counters.Clear();
        harness.Detector.ReportCounters(counters);
        Assert.Equal(1, counters["stream:slots-in-use"]);
        Assert.Empty(harness.Alerts.Alerts);
    }

    [Fact]
    public void FastPatternInEarlierSegment_RelativeContentInLaterSegment_Alerts()
    {
        // Later scans only revisit the last bytes of the window, so the rule must be carried.
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"LONGPATTERN\"; content:\"x\"; distance:0; sid:1;)");

        harness.SendAll(Conversation().Client("LONGPATTERN").Client(new string('y', 40)).Client("x").Frames);

        Assert.Equal(new[] { 1 }, harness.AlertedSids);
    }

    [Fact]
    public void CarryOverflow_ManyNominatedRules_StillAllMatch()
    {
        var rules = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"alert tcp any any -> any any (content:\"NEEDLE{i:D2}\"; content:\"!\"; distance:0; sid:{i};)"));
        var harness = new IdsTestHarness(rules);
        var conversation = Conversation();
        conversation.Client(string.Concat(Enumerable.Range(1, 20).Select(i => $"NEEDLE{i:D2} ")));

        harness.SendAll(conversation.Client(new string('y', 30)).Client("!").Frames);

        Assert.Equal(Enumerable.Range(1, 20), harness.AlertedSids.Order());
    }

    [Fact]
    public void NewHandshakeOnSameFiveTuple_StartsFreshStream()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"SPLITPATTERN\"; sid:1;)\nalert tcp any any -> any any (content:\"FRESH\"; sid:2;)");
        var first = Conversation().Client("xxSPLIT").Frames;
        var client = NetAddress.Parse("10.0.0.1");
        var server = NetAddress.Parse("10.0.0.2");
        // The second connection's ISN is far from the first's next sequence number.
        var second = new List<byte[]>
        {
            PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Syn, 900_000, 0),
            PacketBuilder.Tcp(server, 80, client, 40000, TcpFlags.Syn | TcpFlags.Ack, 7_000, 900_001),
            PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Ack, 900_001, 7_001),
            PacketBuilder.Tcp(client, 40000, server, 80, TcpFlags.Ack | TcpFlags.Psh, 900_001, 7_001, "PATTERN FRESH"u8),
        };

        harness.SendAll(first.Concat(second));

        Assert.Equal(new[] { 2 }, harness.AlertedSids);
    }
}
