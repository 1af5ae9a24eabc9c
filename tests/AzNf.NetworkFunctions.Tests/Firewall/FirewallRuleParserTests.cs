using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Firewall;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Firewall;

public sealed class FirewallRuleParserTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["HOME_NET"] = "[10.0.0.0/8, 192.168.0.0/16]",
        ["ALL_NETS"] = "[$HOME_NET,fd00::/8]",
        ["NOT_HOME"] = "!$HOME_NET",
        ["HTTP_PORTS"] = "[80,8080]",
        ["LOOP_A"] = "$LOOP_B",
        ["LOOP_B"] = "$LOOP_A",
    };

    [Theory]
    [InlineData("allow tcp from any to any", FirewallAction.Allow, IpProtocol.Tcp)]
    [InlineData("deny udp from any to any", FirewallAction.Deny, IpProtocol.Udp)]
    [InlineData("deny icmp from any to any", FirewallAction.Deny, IpProtocol.Icmp)]
    [InlineData("allow icmpv6 from any to any", FirewallAction.Allow, IpProtocol.IcmpV6)]
    [InlineData("allow ip from any to any", FirewallAction.Allow, FirewallRule.AnyProtocol)]
    [InlineData("allow any from any to any", FirewallAction.Allow, FirewallRule.AnyProtocol)]
    [InlineData("deny 47 from any to any", FirewallAction.Deny, 47)]
    [InlineData("  deny   0   from any to any   # trailing comment", FirewallAction.Deny, 0)]
    public void Parse_ActionAndProtocol_AreRead(string line, FirewallAction expectedAction, int expectedProtocol)
    {
        var rule = Rule(line);

        Assert.Equal(expectedAction, rule.Action);
        Assert.Equal(expectedProtocol, rule.Protocol);
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0", true)]
    [InlineData("10.0.0.0/8", "10.255.255.255", true)]
    [InlineData("10.0.0.0/8", "11.0.0.0", false)]
    [InlineData("10.0.0.0/8", "9.255.255.255", false)]
    [InlineData("192.0.2.7/32", "192.0.2.7", true)]
    [InlineData("192.0.2.7/32", "192.0.2.8", false)]
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("0.0.0.0/0", "255.255.255.255", true)]
    [InlineData("0.0.0.0/0", "2001:db8::1", false)]
    [InlineData("::/0", "2001:db8::1", true)]
    [InlineData("::/0", "10.0.0.1", false)]
    [InlineData("fd00::/8", "fdff:ffff::1", true)]
    [InlineData("fd00::/8", "fe00::1", false)]
    [InlineData("2001:db8::1/128", "2001:db8::1", true)]
    [InlineData("2001:db8::1/128", "2001:db8::2", false)]
    [InlineData("::ffff:10.0.0.0/104", "10.1.2.3", true)]
    [InlineData("any", "2001:db8::1", true)]
    [InlineData("any", "10.0.0.1", true)]
    [InlineData("[10.0.0.0/8,!10.1.0.0/16]", "10.2.0.1", true)]
    [InlineData("[10.0.0.0/8,!10.1.0.0/16]", "10.1.0.1", false)]
    [InlineData("[10.0.0.0/8, 2001:db8::/32]", "2001:db8:1::1", true)]
    [InlineData("[!10.0.0.0/8]", "11.0.0.1", true)]
    [InlineData("[!10.0.0.0/8]", "10.0.0.1", false)]
    [InlineData("!10.0.0.0/8", "2001:db8::1", true)]
    [InlineData("!10.0.0.0/8", "10.9.9.9", false)]
    [InlineData("$HOME_NET", "192.168.3.4", true)]
    [InlineData("$HOME_NET", "172.16.0.1", false)]
    [InlineData("$ALL_NETS", "fd12::1", true)]
    [InlineData("$ALL_NETS", "10.1.1.1", true)]
    [InlineData("!$HOME_NET", "10.1.1.1", false)]
    [InlineData("$NOT_HOME", "172.16.0.1", true)]
    [InlineData("[$HOME_NET,![10.1.0.0/16,10.2.0.0/16]]", "10.2.0.1", false)]
    [InlineData("[$HOME_NET,![10.1.0.0/16,10.2.0.0/16]]", "10.3.0.1", true)]
    public void Parse_SourceAddress_MatchesExactlyItsSet(string expression, string address, bool expected)
    {
        var rule = Rule($"allow ip from {expression} to any");

        bool matches = rule.Source.Contains(FirewallRule.ToValue(NetAddress.Parse(address)));

        Assert.Equal(expected, matches);
    }

    [Theory]
    [InlineData("80", 80, true)]
    [InlineData("80", 81, false)]
    [InlineData("1024:", 65535, true)]
    [InlineData("1024:", 1023, false)]
    [InlineData(":1023", 0, true)]
    [InlineData(":1023", 1024, false)]
    [InlineData("1000:2000", 1000, true)]
    [InlineData("1000:2000", 2000, true)]
    [InlineData("1000:2000", 2001, false)]
    [InlineData("[80,8080]", 8080, true)]
    [InlineData("[80,8080]", 443, false)]
    [InlineData("[80, 8000:8999]", 8443, true)]
    [InlineData("![23,445]", 445, false)]
    [InlineData("![23,445]", 22, true)]
    [InlineData("[1:1024,!22]", 22, false)]
    [InlineData("[1:1024,!22]", 21, true)]
    [InlineData("$HTTP_PORTS", 8080, true)]
    [InlineData("!$HTTP_PORTS", 80, false)]
    [InlineData("any", 0, true)]
    public void Parse_DestinationPorts_MatchExactlyTheirSet(string expression, int port, bool expected)
    {
        var rule = Rule($"allow tcp from any to any port {expression}");

        bool matches = rule.DestinationPorts!.Contains((ushort)port);

        Assert.Equal(expected, matches);
    }

    [Fact]
    public void Parse_AllFields_MatchesOnlyPacketsThatFitEveryField()
    {
        var rule = Rule("allow tcp from 10.0.0.0/8 port 1024: to 192.0.2.1 port [80,443] state new");
        var fits = TcpPacket("10.1.2.3", 40000, "192.0.2.1", 443);

        Assert.True(rule.Matches(fits, ConnectionMatch.New));
        Assert.False(rule.Matches(fits, ConnectionMatch.Established));
        Assert.False(rule.Matches(TcpPacket("11.1.2.3", 40000, "192.0.2.1", 443), ConnectionMatch.New));
        Assert.False(rule.Matches(TcpPacket("10.1.2.3", 1000, "192.0.2.1", 443), ConnectionMatch.New));
        Assert.False(rule.Matches(TcpPacket("10.1.2.3", 40000, "192.0.2.2", 443), ConnectionMatch.New));
        Assert.False(rule.Matches(TcpPacket("10.1.2.3", 40000, "192.0.2.1", 8443), ConnectionMatch.New));
        Assert.False(rule.Matches(UdpPacket("10.1.2.3", 40000, "192.0.2.1", 443), ConnectionMatch.New));
    }

    [Theory]
    [InlineData("state new", ConnectionMatch.New)]
    [InlineData("state established", ConnectionMatch.Established)]
    [InlineData("state new,established", ConnectionMatch.New | ConnectionMatch.Established)]
    [InlineData("state invalid", ConnectionMatch.Invalid)]
    [InlineData("", ConnectionMatch.Any)]
    public void Parse_StateClause_SetsStates(string clause, ConnectionMatch expected)
    {
        var rule = Rule("allow tcp from any to any " + clause);

        Assert.Equal(expected, rule.States);
    }

    /// <summary>A megabyte-long token anywhere in a line is refused in a message that quotes 60 characters of it.</summary>
    [Theory]
    [InlineData("allow {0} from any to any", "unknown protocol 'xxxx")]
    [InlineData("{0} tcp from any to any", "unknown action 'xxxx")]
    [InlineData("allow tcp from any to any {0}", "unexpected 'xxxx")]
    [InlineData("allow tcp from any to any port 80 state {0}", "unknown state 'xxxx")]
    [InlineData("allow tcp {0} any to any", "found 'xxxx")]
    public void Parse_MegabyteToken_RejectedWithAShortMessage(string line, string expectedReason)
    {
        var diagnostics = new ConfigDiagnostics();

        Assert.Throws<ConfigException>(() => FirewallDefinition.Parse(string.Format(System.Globalization.CultureInfo.InvariantCulture, line, new string('x', 1 << 20)), "bad.rules", null, Variables, diagnostics));

        var warning = Assert.Single(diagnostics.Warnings);
        Assert.Contains(expectedReason, warning.Message, StringComparison.Ordinal);
        Assert.Contains("(1,048,576 characters)", warning.Message, StringComparison.Ordinal);
        Assert.True(warning.Message.Length < 300, $"{warning.Message.Length} characters");
    }

    [Theory]
    [InlineData("permit tcp from any to any", "unknown action 'permit'")]
    [InlineData("allow sctp from any to any", "unknown protocol 'sctp'")]
    [InlineData("allow 256 from any to any", "unknown protocol '256'")]
    [InlineData("allow tcp any to any", "expected 'from', found 'any'")]
    [InlineData("allow tcp from any", "expected 'to', found 'end of line'")]
    [InlineData("allow tcp from any to", "missing destination address")]
    [InlineData("allow tcp from any to any port", "missing destination port")]
    [InlineData("allow tcp from any to any extra", "unexpected 'extra'")]
    [InlineData("allow tcp from 10.1 to any", "'10.1' is not an address")]
    [InlineData("allow tcp from 10.0.0.0/33 to any", "bad prefix length in '10.0.0.0/33'")]
    [InlineData("allow tcp from ::/129 to any", "bad prefix length")]
    [InlineData("allow tcp from fe80::1%eth0 to any", "is not an address")]
    [InlineData("allow tcp from 10.0.0.1/8 to any", "host bits set (did you mean 10.0.0.0/8?)")]
    [InlineData("allow tcp from fd00::1/8 to any", "did you mean fd00::/8?")]
    [InlineData("allow tcp from [10.0.0.0/8 to any", "unbalanced '['")]
    [InlineData("allow tcp from [] to any", "empty list")]
    [InlineData("allow tcp from [10.0.0.0/8,,11.0.0.0/8] to any", "empty item")]
    [InlineData("allow tcp from !any to any", "source address matches nothing")]
    [InlineData("allow tcp from $NOPE to any", "undefined variable '$NOPE'")]
    [InlineData("allow tcp from $LOOP_A to any", "a cycle?")]
    [InlineData("allow tcp from any to any port 70000", "'70000' is not a port")]
    [InlineData("allow tcp from any to any port 2000:1000", "runs backwards")]
    [InlineData("allow tcp from any to any port !any", "matches nothing")]
    [InlineData("allow icmp from any to any port 80", "ports need protocol tcp or udp")]
    [InlineData("allow tcp from any to any state closed", "unknown state 'closed'")]
    public void Parse_BadLine_IsRejectedWithReason(string line, string expectedReason)
    {
        var diagnostics = new ConfigDiagnostics();

        var error = Assert.Throws<ConfigException>(() => FirewallDefinition.Parse(line, "bad.rules", null, Variables, diagnostics));

        var warning = Assert.Single(diagnostics.Warnings);
        Assert.Equal("firewall-rule-rejected", warning.Code);
        Assert.Equal("bad.rules:1", warning.Where);
        Assert.Contains(expectedReason, warning.Message, StringComparison.Ordinal);
        Assert.Equal("bad.rules:1", error.Where);
    }

    [Fact]
    public void Parse_CommentsAndBlankLines_AreSkippedAndLinesNumberedFromOne()
    {
        string text = "# header\n\n   \nallow tcp from any to any port 22 # ssh\r\ndeny ip from any to any\n";

        var definition = FirewallDefinition.Parse(text, "t.rules");

        Assert.Equal([4, 5], definition.Rules.Select(r => r.Line));
        Assert.Equal("allow tcp from any to any port 22", definition.Rules[0].Text);
        Assert.Equal("firewall:rule:5", definition.Rules[1].DropReason);
    }

    private static FirewallRule Rule(string line) =>
        Assert.Single(FirewallDefinition.Parse(line, "t.rules", null, Variables).Rules);

    private static ParsedPacket TcpPacket(string source, ushort sourcePort, string destination, ushort destinationPort) =>
        TcpConversation.Parse(PacketBuilder.Tcp(NetAddress.Parse(source), sourcePort, NetAddress.Parse(destination), destinationPort, TcpFlags.Syn, 1, 0));

    private static ParsedPacket UdpPacket(string source, ushort sourcePort, string destination, ushort destinationPort) =>
        TcpConversation.Parse(PacketBuilder.Udp(NetAddress.Parse(source), sourcePort, NetAddress.Parse(destination), destinationPort));
}
