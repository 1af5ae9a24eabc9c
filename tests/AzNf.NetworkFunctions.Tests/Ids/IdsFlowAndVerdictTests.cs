using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>flow, dsize and flags keywords; drop, reject and pass actions; alert contents.</summary>
public sealed class IdsFlowAndVerdictTests
{
    private static readonly NetAddress s_client = NetAddress.Parse("10.0.0.1");
    private static readonly NetAddress s_server = NetAddress.Parse("10.0.0.2");

    private static ParsedPacket Parsed(byte[] frame)
    {
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, frame, out var parsed));
        return parsed;
    }

    private static byte[] UdpOut(string payload, ushort port = 53) => PacketBuilder.Udp(s_client, 5555, s_server, port, TcpConversation.Bytes(payload));

    private static byte[] UdpBack(string payload, ushort port = 53) => PacketBuilder.Udp(s_server, port, s_client, 5555, TcpConversation.Bytes(payload));

    private static List<long> AlertIndexes(IdsTestHarness harness) => harness.Alerts.Alerts.Select(a => a.PacketIndex).ToList();

    [Fact]
    public void FlowEstablished_Tcp_FromHandshakeAckOnward()
    {
        var harness = new IdsTestHarness("alert tcp any any <> any any (flow:established; sid:1;)");

        harness.SendAll(new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("x").Close().Frames);

        // SYN (1) and SYN/ACK (2) are not established; the handshake's ACK (3) and all later are.
        Assert.Equal(new long[] { 3, 4, 5, 6, 7, 8 }, AlertIndexes(harness));
    }

    [Fact]
    public void FlowNotEstablished_Tcp_OnlyHandshakeStart()
    {
        var harness = new IdsTestHarness("alert tcp any any <> any any (flow:not_established; sid:1;)");

        harness.SendAll(new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("x").Frames);

        Assert.Equal(new long[] { 1, 2 }, AlertIndexes(harness));
    }

    [Fact]
    public void FlowEstablished_TcpWithoutHandshake_Never()
    {
        var harness = new IdsTestHarness("alert tcp any any <> any any (flow:established; sid:1;)");

        harness.SendAll(new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("x").Frames.Skip(3));

        Assert.Empty(harness.Alerts.Alerts);
    }

    [Fact]
    public void FlowEstablished_Udp_OnceBothDirectionsSeen()
    {
        var harness = new IdsTestHarness("alert udp any any <> any any (flow:established; sid:1;)");

        harness.SendAll([UdpOut("q"), UdpOut("q"), UdpBack("a"), UdpOut("q")]);

        Assert.Equal(new long[] { 3, 4 }, AlertIndexes(harness));
    }

    [Fact]
    public void FlowDirection_ToServerAndToClient_FollowOriginator()
    {
        var harness = new IdsTestHarness("alert udp any any <> any any (flow:to_server; sid:1;)\nalert udp any any <> any any (flow:from_server; sid:2;)");

        // The server's packet comes first, so the server is the originator ("client") of this flow.
        harness.SendAll([UdpBack("a"), UdpOut("b")]);

        Assert.Equal(new[] { (1, 1L), (2, 2L) }, harness.Alerts.Alerts.Select(a => (a.Sid, a.PacketIndex)));
    }

    [Fact]
    public void FlowStateless_MatchesEveryPacket()
    {
        var harness = new IdsTestHarness("alert udp any any <> any any (flow:stateless; sid:1;)");

        harness.SendAll([UdpOut("a"), UdpBack("b")]);

        Assert.Equal(2, harness.Alerts.Alerts.Count);
    }

    [Theory]
    [InlineData("dsize:3", 3, true)]
    [InlineData("dsize:3", 4, false)]
    [InlineData("dsize:<3", 2, true)]
    [InlineData("dsize:<3", 3, false)]
    [InlineData("dsize:>3", 4, true)]
    [InlineData("dsize:>3", 3, false)]
    [InlineData("dsize:2<>5", 3, true)]
    [InlineData("dsize:2<>5", 2, false)]
    [InlineData("dsize:2<>5", 5, false)]
    [InlineData("dsize:0", 0, true)]
    public void Dsize_ComparesPayloadLength(string option, int length, bool expected)
    {
        var harness = new IdsTestHarness($"alert udp any any -> any any ({option}; sid:1;)");

        harness.Send(UdpOut(new string('x', length)));

        Assert.Equal(expected, harness.Alerts.Alerts.Count == 1);
    }

    [Fact]
    public void Dsize_OnTcp_IsPerPacketNotStream()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"ABCD\"; dsize:2; sid:1;)");

        harness.SendAll(new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("AB").Client("CD").Frames);

        Assert.Empty(harness.Alerts.Alerts);
    }

    [Theory]
    [InlineData("S", TcpFlags.Syn, true)]
    [InlineData("S", TcpFlags.Syn | TcpFlags.Ack, false)]
    [InlineData("SA", TcpFlags.Syn | TcpFlags.Ack, true)]
    [InlineData("S+", TcpFlags.Syn | TcpFlags.Ack, true)]
    [InlineData("+S", TcpFlags.Syn | TcpFlags.Ack, true)]
    [InlineData("+SF", TcpFlags.Syn | TcpFlags.Ack, false)]
    [InlineData("*SF", TcpFlags.Syn | TcpFlags.Ack, true)]
    [InlineData("*RF", TcpFlags.Syn | TcpFlags.Ack, false)]
    [InlineData("!A", TcpFlags.Syn, true)]
    [InlineData("!A", TcpFlags.Syn | TcpFlags.Ack, false)]
    // '!' is "not all of these" in Suricata, not "none of these".
    [InlineData("!SA", TcpFlags.Syn, true)]
    [InlineData("!SA", TcpFlags.Syn | TcpFlags.Ack, false)]
    [InlineData("!0", TcpFlags.Ack, true)]
    [InlineData("*0", TcpFlags.None, false)]
    [InlineData("0", TcpFlags.None, true)]
    [InlineData("0", TcpFlags.Ack, false)]
    [InlineData("S,CE", TcpFlags.Syn | TcpFlags.Cwr | TcpFlags.Ece, true)]
    [InlineData("S,12", TcpFlags.Syn | TcpFlags.Cwr | TcpFlags.Ece, true)]
    [InlineData("S", TcpFlags.Syn | TcpFlags.Cwr | TcpFlags.Ece, false)]
    [InlineData("SEC", TcpFlags.Syn | TcpFlags.Cwr | TcpFlags.Ece, true)]
    [InlineData("FSRPAU", TcpFlags.Fin | TcpFlags.Syn | TcpFlags.Rst | TcpFlags.Psh | TcpFlags.Ack | TcpFlags.Urg, true)]
    public void Flags_ModifiersAndMask(string flags, TcpFlags packetFlags, bool expected)
    {
        var harness = new IdsTestHarness($"alert tcp any any -> any any (flags:{flags}; sid:1;)");

        harness.Send(PacketBuilder.Tcp(s_client, 1, s_server, 2, packetFlags, 1, 0));

        Assert.Equal(expected, harness.Alerts.Alerts.Count == 1);
    }

    [Fact]
    public void DropRule_DropsWithCachedReasonAndAlertsAsDrop()
    {
        var harness = new IdsTestHarness("drop udp any any -> any any (msg:\"bad\"; content:\"evil\"; sid:9; rev:2; classtype:misc-attack;)");

        var first = harness.Send(UdpOut("evil one"));
        var second = harness.Send(UdpOut("evil two"));
        var clean = harness.Send(UdpOut("fine"));

        Assert.True(first.IsDrop);
        Assert.Equal("ids:sid:9", first.Reason);
        Assert.Same(first.Reason, second.Reason);
        Assert.False(clean.IsDrop);
        var alert = harness.Alerts.Alerts[0];
        var key = FlowKey.From(Parsed(UdpOut("evil one")), out _);
        Assert.Equal(
            new Alert(9, 2, "bad", "drop", IpProtocol.Udp, s_client, 5555, s_server, 53, 1, "misc-attack", "ids",
                TimestampNanos: IdsTestHarness.TimestampOf(1), FlowId: FlowId.Of(key, 1)),
            alert);
    }

    [Fact]
    public void Alert_CarriesPacketsOwnEndpointsAndIndex()
    {
        var harness = new IdsTestHarness("alert udp any any <> any any (content:\"hit\"; sid:4;)");

        harness.SendAll([UdpOut("miss"), UdpBack("hit")]);

        var alert = Assert.Single(harness.Alerts.Alerts);
        Assert.Equal((s_server, (ushort)53, s_client, (ushort)5555, 2L), (alert.Source, alert.SourcePort, alert.Destination, alert.DestinationPort, alert.PacketIndex));
        Assert.Equal("alert", alert.Action);
    }

    [Fact]
    public void PassRule_SilencesOtherRulesOnThatPacketOnlyForUdp()
    {
        var harness = new IdsTestHarness("alert udp any any -> any any (content:\"TOKEN\"; sid:1;)\ndrop udp any any -> any any (content:\"TOKEN\"; sid:2;)\npass udp any any -> any any (content:\"SAFE\"; sid:3;)");

        var passed = harness.Send(UdpOut("SAFE TOKEN"));
        var later = harness.Send(UdpOut("TOKEN"));

        Assert.False(passed.IsDrop);
        Assert.True(later.IsDrop);
        Assert.Equal(new[] { (2, 2L), (1, 2L) }, harness.Alerts.Alerts.Select(a => (a.Sid, a.PacketIndex)));
    }

    [Fact]
    public void PassRule_OnTcp_PassesRestOfFlow()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"TOKEN\"; sid:1;)\npass tcp any any -> any any (content:\"SAFE\"; sid:2;)");

        harness.SendAll(new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("SAFE").Client("TOKEN").Frames);

        Assert.Empty(harness.Alerts.Alerts);
    }

    [Fact]
    public void Header_ProtocolAddressesPortsAndBidirectional()
    {
        var harness = new IdsTestHarness(
            "alert udp 10.0.0.1 any -> 10.0.0.2 53 (sid:1;)\nalert tcp any any -> any any (sid:2;)\nalert udp 10.0.0.2 53 <> 10.0.0.1 any (sid:3;)\nalert ip any any -> any any (sid:4;)\nalert icmp any any -> any any (sid:5;)");

        harness.SendAll([UdpOut("a"), UdpBack("b")]);

        Assert.Equal(new[] { (1, 1L), (3, 1L), (4, 1L), (3, 2L), (4, 2L) }, harness.Alerts.Alerts.Select(a => (a.Sid, a.PacketIndex)));
    }

    [Fact]
    public void Icmp_RuleMatchesIcmpv4AndIcmpv6Payloads()
    {
        var harness = new IdsTestHarness("alert icmp any any -> any any (content:\"PING\"; sid:1;)");

        harness.Send(PacketBuilder.IcmpEcho(s_client, s_server, request: true, id: 1, sequence: 1, "PING"u8));
        harness.Send(PacketBuilder.IcmpEcho(NetAddress.Parse("2001:db8::1"), NetAddress.Parse("2001:db8::2"), request: true, id: 1, sequence: 1, "PING"u8));

        Assert.Equal(2, harness.Alerts.Alerts.Count);
    }

    [Fact]
    public void GarbageAndTruncatedFrames_NeverThrowAndNeverAlert()
    {
        var harness = new IdsTestHarness("alert ip any any -> any any (sid:1;)\nalert tcp any any -> any any (content:\"x\"; sid:2;)");
        var frame = PacketBuilder.Tcp(s_client, 1, s_server, 2, TcpFlags.Ack, 1, 1, "xxxx"u8);

        for (int length = 0; length < frame.Length - 4; length++)
        {
            harness.Send(frame[..length]);
        }
        harness.Send(new byte[] { 0xFF, 0xFF, 0xFF });

        Assert.DoesNotContain(2, harness.AlertedSids);
    }

    [Fact]
    public void DropRule_MatchedOnStream_DropsRestOfFlowWithoutInspecting()
    {
        var harness = new IdsTestHarness("drop tcp any any -> any any (content:\"KILL\"; sid:1;)\nalert tcp any any <> any any (content:\"AFTER\"; sid:2;)");
        var frames = new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("KILL").Server("AFTER").Frames;

        var verdicts = harness.SendAll(frames);

        Assert.Equal(new[] { 1 }, harness.AlertedSids);
        Assert.All(verdicts.Skip(3), v => Assert.Equal(Verdict.Drop("ids:sid:1"), v));
        Assert.All(verdicts.Take(3), v => Assert.False(v.IsDrop));
    }

    [Theory]
    [InlineData("reject", 1, true)]
    [InlineData("rejectsrc", 1, true)]
    [InlineData("rejectdst", 1, false)]
    [InlineData("rejectboth", 2, true)]
    public void RejectRule_DropsTheRestOfTheFlowAndAnswersWithResets(string action, int answers, bool firstToClient)
    {
        var harness = new IdsTestHarness($"{action} tcp any any -> any 80 (msg:\"no\"; content:\"KILL\"; sid:4;)");
        var answered = new AnswerRecorder();
        harness.Alerts.Output = answered;
        var frames = new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("KILL").Server("AFTER").Frames;

        var verdicts = harness.SendAll(frames);

        Assert.All(verdicts.Skip(3), v => Assert.Equal(Verdict.Drop("ids:sid:4"), v));
        var alert = Assert.Single(harness.Alerts.Alerts);
        Assert.Equal(("reject", 4L), (alert.Action, alert.PacketIndex));
        // Only the matching packet is answered; the flow's later packets are dropped silently.
        Assert.Equal(answers, answered.Answers.Count);
        Assert.All(answered.Answers, a => Assert.Equal((4L, "ids"), (a.Index, a.Stage)));
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, answered.Answers[0].Frame, out var reset));
        Assert.Equal(TcpFlags.Rst, reset.TcpFlags & TcpFlags.Rst);
        Assert.Equal(firstToClient ? s_client : s_server, reset.Destination);
        var counters = new Dictionary<string, long>();
        harness.Detector.ReportCounters(counters);
        Assert.Equal((1L, answers), (counters["rejects"], counters["reject:responses"]));
    }

    [Fact]
    public void RejectRule_OnUdp_AnswersPortUnreachableAndDropsOnlyThatPacket()
    {
        var harness = new IdsTestHarness("reject udp any any -> any any (content:\"KILL\"; sid:1;)");
        var answered = new AnswerRecorder();
        harness.Alerts.Output = answered;

        var verdicts = harness.SendAll([UdpOut("KILL"), UdpOut("fine")]);

        Assert.Equal(new[] { true, false }, verdicts.Select(v => v.IsDrop));
        var answer = Assert.Single(answered.Answers);
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, answer.Frame, out var icmp));
        Assert.Equal((IpProtocol.Icmp, (byte)3, (byte)3, s_client), (icmp.Protocol, icmp.IcmpType, icmp.IcmpCode, icmp.Destination));
    }

    [Fact]
    public void RuleWithoutReject_ReportsNoRejectCounters()
    {
        var harness = new IdsTestHarness("drop udp any any -> any any (content:\"KILL\"; sid:1;)");
        var counters = new Dictionary<string, long>();

        harness.Detector.ReportCounters(counters);

        Assert.False(counters.ContainsKey("rejects"));
    }

    private sealed class AnswerRecorder : IPartitionOutput
    {
        public List<(long Index, string Stage, byte[] Frame)> Answers { get; } = [];

        public void Alert(Alert alert)
        {
        }

        public void FlowEnded(FlowRecord flow)
        {
        }

        public void Dropped(in PacketContext packet, string stage, string reason)
        {
        }

        public void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response) =>
            Answers.Add((packet.Index, stage, response.ToArray()));

        public void Rewritten(in PacketContext packet)
        {
        }

        public void BatchEnded(int packets, TimeSpan elapsed)
        {
        }

        public void Flush()
        {
        }
    }

    [Fact]
    public void DropRule_MatchedOnUdpPacket_DropsOnlyThatPacket()
    {
        var harness = new IdsTestHarness("drop udp any any -> any any (content:\"KILL\"; sid:1;)");

        var verdicts = harness.SendAll([UdpOut("KILL"), UdpOut("fine")]);

        Assert.Equal(new[] { true, false }, verdicts.Select(v => v.IsDrop));
    }

    [Fact]
    public void HeaderOnlyPassRule_OnUdp_PassesRestOfFlow()
    {
        var harness = new IdsTestHarness("pass udp 10.0.0.1 any -> any any (sid:1;)\nalert udp any any <> any any (content:\"TOKEN\"; sid:2;)");

        harness.SendAll([UdpOut("TOKEN"), UdpBack("TOKEN")]);

        Assert.Empty(harness.Alerts.Alerts);
    }

    [Fact]
    public void DepthRule_OnLaterSegment_CheckedOnSegmentPayloadToo()
    {
        var harness = new IdsTestHarness("alert tcp any any -> any any (content:\"GET\"; depth:3; sid:1;)\nalert tcp any any -> any any (content:\"GET\"; sid:2;)");

        harness.SendAll(new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("xx").Client("GET /").Frames);

        Assert.Equal(new[] { 1, 2 }, harness.AlertedSids.Order());
    }

    [Fact]
    public void StreamRule_OnSegmentPayload_NotCheckedAgainstSegmentAlone()
    {
        // Without offset/depth, a segment of an established stream is inspected only as stream
        // data: the second segment alone ("cmd", no "safe") would match, the stream does not.
        var harness = new IdsTestHarness("alert ip any any -> any any (content:!\"safe\"; content:\"cmd\"; sid:1;)");

        harness.SendAll(new TcpConversation("10.0.0.1", 40000, "10.0.0.2", 80).Handshake().Client("safe ").Client("cmd").Frames);
        harness.Send(PacketBuilder.Udp(s_client, 1, s_server, 2, "cmd"u8));

        // Only the UDP datagram (packet inspection) alerts.
        Assert.Equal(new long[] { 8 }, harness.Alerts.Alerts.Select(a => a.PacketIndex));
    }
}
