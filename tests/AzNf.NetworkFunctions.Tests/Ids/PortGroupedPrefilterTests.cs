using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// The packet prefilter split by what a header admits: a rule's pattern is looked for only in
/// packets its protocol and ports admit (both ways for <c>&lt;&gt;</c>), and alerts are what they
/// were with one prefilter for all.
/// </summary>
public sealed class PortGroupedPrefilterTests
{
    private const string Rules = """
        alert tcp any any -> any 445 (msg:"smb"; content:"SMBPATTERN"; sid:1;)
        alert tcp any any -> any [1024:2048] (msg:"range"; content:"RANGEPATTERN"; sid:2;)
        alert tcp any 7000 <> any any (msg:"both ways"; content:"BOTHWAYS"; sid:3;)
        alert udp any any -> any 53 (msg:"dns"; content:"QQ"; sid:4;)
        alert ip any any -> any any (msg:"any"; content:"ANYPATTERN"; sid:5;)
        """;

    private static readonly NetAddress Client = NetAddress.Parse("192.168.1.20");
    private static readonly NetAddress Server = NetAddress.Parse("10.0.0.10");

    [Theory]
    [InlineData(40000, 445, new[] { 1, 5 })]
    [InlineData(40000, 80, new[] { 5 })]
    [InlineData(40000, 1500, new[] { 2, 5 })]
    [InlineData(40000, 2049, new[] { 5 })]
    [InlineData(7000, 80, new[] { 3, 5 })]
    [InlineData(80, 7000, new[] { 3, 5 })]
    public void ForKey_TcpPacket_HoldsOnlyThePatternsOfRulesItsHeaderAdmits(int sourcePort, int destinationPort, int[] sids)
    {
        var harness = new IdsTestHarness(Rules);
        var prefilter = harness.Definition.Prefilter;
        byte[] frame = PacketBuilder.Tcp(Client, (ushort)sourcePort, Server, (ushort)destinationPort, TcpFlags.Ack | TcpFlags.Psh, 1, 1,
            "SMBPATTERN RANGEPATTERN BOTHWAYS QQ ANYPATTERN"u8);
        PacketParser.Parse(LinkType.Ethernet, frame, out var header);
        var into = new AzNf.NetworkFunctions.Ids.CandidateRuleSet(harness.Definition.RuleArray.Length);

        prefilter.ForKey(prefilter.Key(in header)).Scan(header.PayloadLength > 0 ? frame.AsSpan(header.PayloadOffset, header.PayloadLength) : [], into);

        Assert.Equal(sids, into.Rules.ToArray().Select(i => harness.Definition.RuleArray[i].Sid).Order());
    }

    [Fact]
    public void ForKey_KeysAdmittingTheSameRules_ShareOneMatcher()
    {
        var harness = new IdsTestHarness(Rules);
        var prefilter = harness.Definition.Prefilter;

        var first = prefilter.ForKey(Key(40000, 80));
        var second = prefilter.ForKey(Key(50000, 8080));
        var smb = prefilter.ForKey(Key(40000, 445));

        Assert.Same(first, second);
        Assert.NotSame(first, smb);
        Assert.Equal(2, prefilter.Matchers);
    }

    [Fact]
    public void Send_PatternOnAnotherRulesPort_AlertsOnlyWhereTheRuleApplies()
    {
        var harness = new IdsTestHarness(Rules);

        harness.Send(PacketBuilder.Tcp(Client, 40000, Server, 80, TcpFlags.Ack | TcpFlags.Psh, 1, 1, "SMBPATTERN"u8));
        harness.Send(PacketBuilder.Tcp(Client, 40001, Server, 445, TcpFlags.Ack | TcpFlags.Psh, 1, 1, "SMBPATTERN"u8));
        harness.Send(PacketBuilder.Udp(Client, 40002, Server, 53, "QQ"u8));
        harness.Send(PacketBuilder.Udp(Client, 40003, Server, 54, "QQ"u8));

        Assert.Equal([1, 4], harness.AlertedSids);
    }

    private static int Key(ushort sourcePort, ushort destinationPort)
    {
        var harness = new IdsTestHarness(Rules);
        PacketParser.Parse(LinkType.Ethernet, PacketBuilder.Tcp(Client, sourcePort, Server, destinationPort, TcpFlags.Ack, 1, 1, "x"u8), out var header);
        return harness.Definition.Prefilter.Key(in header);
    }
}
