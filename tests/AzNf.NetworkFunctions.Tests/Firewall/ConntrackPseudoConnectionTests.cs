using AzNf.NetworkFunctions.Firewall;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

/// <summary>UDP and ICMP echo pseudo-connections: new until the other side answers, then established.</summary>
public sealed class ConntrackPseudoConnectionTests
{
    private const string OutboundOnly =
        "allow udp from 10.0.0.0/8 to any port 53 state new\n" +
        "allow icmp from 10.0.0.0/8 to any state new\n" +
        "allow icmpv6 from fd00::/8 to any state new\n" +
        "allow ip from any to any state established\n";

    private static readonly NetAddress Client = NetAddress.Parse("10.0.0.1");
    private static readonly NetAddress Resolver = NetAddress.Parse("198.51.100.53");

    [Fact]
    public void Process_UdpQueryAndReply_ReplyIsEstablished()
    {
        var harness = new FirewallHarness(OutboundOnly);
        var query = PacketBuilder.Udp(Client, 33000, Resolver, 53, "q"u8);
        var reply = PacketBuilder.Udp(Resolver, 53, Client, 33000, "a"u8);

        var queryVerdict = harness.Send(query);
        var stateAfterQuery = harness.StateOf(query).State;
        var replyVerdict = harness.Send(reply);

        Assert.Equal(Verdict.Forward, queryVerdict);
        Assert.Equal(ConntrackState.UdpUnreplied, stateAfterQuery);
        Assert.Equal(Verdict.Forward, replyVerdict);
        Assert.Equal(ConntrackState.UdpReplied, harness.StateOf(query).State);
        Assert.Equal(1, harness.Counters()["conntrack:UDP_UNREPLIED->UDP_REPLIED"]);
    }

    [Fact]
    public void Process_UdpFromOutsideFirst_IsNewFromOutsideAndDenied()
    {
        var harness = new FirewallHarness(OutboundOnly);
        var unsolicited = PacketBuilder.Udp(Resolver, 53, Client, 33000, "a"u8);
        var answer = PacketBuilder.Udp(Client, 33000, Resolver, 53, "q"u8);

        var unsolicitedVerdict = harness.Send(unsolicited);
        var answerVerdict = harness.Send(answer);

        Assert.Equal(Verdict.Drop("firewall:default"), unsolicitedVerdict);
        // The refused packet created no connection, so the inside host's packet opens its own.
        Assert.Equal(Verdict.Forward, answerVerdict);
        Assert.Equal(ConntrackState.UdpUnreplied, harness.StateOf(answer).State);
        Assert.True(harness.StateOf(answer).OriginatorIsFlowB);
    }

    [Fact]
    public void Process_UdpReplyToDeniedQuery_IsDenied()
    {
        var harness = new FirewallHarness(OutboundOnly);
        var query = PacketBuilder.Udp(Client, 33000, Resolver, 5353, "q"u8);
        var reply = PacketBuilder.Udp(Resolver, 5353, Client, 33000, "a"u8);

        var queryVerdict = harness.Send(query);
        var replyVerdict = harness.Send(reply);

        Assert.Equal(Verdict.Drop("firewall:default"), queryVerdict);
        Assert.Equal(Verdict.Drop("firewall:default"), replyVerdict);
    }

    [Theory]
    [InlineData("10.0.0.1", "198.51.100.1")]
    [InlineData("fd00::1", "2001:db8::1")]
    public void Process_IcmpEchoRequestAndReply_ReplyIsEstablished(string inside, string outside)
    {
        var harness = new FirewallHarness(OutboundOnly);
        var request = PacketBuilder.IcmpEcho(NetAddress.Parse(inside), NetAddress.Parse(outside), request: true, id: 7, sequence: 1);
        var reply = PacketBuilder.IcmpEcho(NetAddress.Parse(outside), NetAddress.Parse(inside), request: false, id: 7, sequence: 1);

        var requestVerdict = harness.Send(request);
        var replyVerdict = harness.Send(reply);

        Assert.Equal(Verdict.Forward, requestVerdict);
        Assert.Equal(Verdict.Forward, replyVerdict);
        Assert.Equal(ConntrackState.IcmpReplied, harness.StateOf(request).State);
    }

    [Fact]
    public void Process_IcmpEchoReplyWithoutRequest_IsInvalid()
    {
        var harness = new FirewallHarness(OutboundOnly);
        harness.Send(PacketBuilder.IcmpEcho(Client, Resolver, request: true, id: 7, sequence: 1));
        var strayReply = PacketBuilder.IcmpEcho(Resolver, Client, request: false, id: 8, sequence: 1);

        var verdict = harness.Send(strayReply);

        Assert.Equal(Verdict.Drop("firewall:invalid-state"), verdict);
    }

    [Fact]
    public void Process_IcmpEchoRequestFromOutside_IsDenied()
    {
        var harness = new FirewallHarness(OutboundOnly);

        var verdict = harness.Send(PacketBuilder.IcmpEcho(Resolver, Client, request: true, id: 9, sequence: 1));

        Assert.Equal(Verdict.Drop("firewall:default"), verdict);
    }

    [Fact]
    public void Process_OtherProtocol_IsTrackedByAddressPair()
    {
        var harness = new FirewallHarness("allow 47 from 10.0.0.0/8 to any state new\nallow ip from any to any state established\n");
        var outbound = PacketBuilder.Ip(Client, Resolver, 47, new byte[8]);
        var inbound = PacketBuilder.Ip(Resolver, Client, 47, new byte[8]);

        var outboundVerdict = harness.Send(outbound);
        var inboundVerdict = harness.Send(inbound);

        Assert.Equal(Verdict.Forward, outboundVerdict);
        Assert.Equal(Verdict.Forward, inboundVerdict);
        Assert.Equal(ConntrackState.OtherReplied, harness.StateOf(outbound).State);
    }
}
