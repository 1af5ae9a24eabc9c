using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

public sealed class IdsRuleParserTests
{
    private static IdsDefinition Parse(string rules, ConfigDiagnostics? diagnostics = null) =>
        IdsDefinition.Parse(rules, "t.rules", IdsTestHarness.DefaultVariables, diagnostics: diagnostics);

    private static IdsRule Single(string rule)
    {
        var diagnostics = new ConfigDiagnostics();
        var definition = Parse(rule, diagnostics);
        Assert.Empty(diagnostics.Warnings);
        return Assert.Single(definition.Rules);
    }

    private static ConfigWarning Rejected(string rules)
    {
        var diagnostics = new ConfigDiagnostics();

        var definition = Parse(rules, diagnostics);

        Assert.Equal(1, definition.RulesRejected);
        var warning = Assert.Single(diagnostics.Warnings);
        Assert.Equal("ids-rule-rejected", warning.Code);
        return warning;
    }

    [Fact]
    public void Parse_AllInformationalKeywords_AreKept()
    {
        var rule = Single("""alert tcp any any -> any 80 (msg:"a \"quoted\" msg"; sid:7; rev:3; classtype:trojan-activity; reference:url,example.com; metadata:k v;)""");

        Assert.Equal(7, rule.Sid);
        Assert.Equal(3, rule.Rev);
        Assert.Equal("a \"quoted\" msg", rule.Msg);
        Assert.Equal("trojan-activity", rule.Classtype);
        Assert.Equal("ids:sid:7", rule.DropReason);
    }

    [Fact]
    public void Parse_ContentWithHexAndEscapes_DecodesBytes()
    {
        var rule = Single("""alert udp any any -> any any (content:"a|00 ff|b\;\"\\\:"; sid:1;)""");

        var check = Assert.Single(rule.PayloadChecks);
        Assert.Equal(new byte[] { (byte)'a', 0x00, 0xFF, (byte)'b', (byte)';', (byte)'"', (byte)'\\', (byte)':' }, check.Pattern);
    }

    [Fact]
    public void Parse_ContentModifiers_ApplyToPrecedingContent()
    {
        var rule = Single("""alert tcp any any -> any any (content:"ABC"; nocase; offset:1; depth:9; content:!"x"; distance:-2; within:5; fast_pattern; sid:1;)""");

        var first = rule.PayloadChecks[0];
        var second = rule.PayloadChecks[1];
        Assert.Equal("abc"u8.ToArray(), first.Pattern);
        Assert.True(first.NoCase);
        Assert.Equal((1, 9), (first.Offset, first.Depth));
        Assert.True(second.Negated);
        Assert.Equal((-2, 5), (second.Distance, second.Within));
        Assert.True(second.FastPattern);
        Assert.Same(first, rule.FastPatternCheck);
    }

    [Fact]
    public void Parse_SeveralContents_LongestIsFastPattern()
    {
        var rule = Single("""alert tcp any any -> any any (content:"ab"; content:"abcdef"; content:"xyz"; sid:1;)""");

        Assert.Same(rule.PayloadChecks[1], rule.FastPatternCheck);
    }

    [Fact]
    public void Parse_FlowDsizeFlags_AreCompiled()
    {
        var rule = Single("alert tcp any any -> any any (flow:from_client,established; dsize:10<>20; flags:+SA,CE; sid:1;)");

        Assert.Equal(IdsFlowMatch.ToServer | IdsFlowMatch.Established, rule.Flow);
        Assert.Equal((11, 19), rule.Dsize);
        Assert.Equal(new IdsTcpFlagsCondition(TcpFlags.Syn | TcpFlags.Ack, '+', TcpFlags.Cwr | TcpFlags.Ece), rule.TcpFlags);
    }

    [Theory]
    [InlineData("dsize:5", 5, 5)]
    [InlineData("dsize:=5", 5, 5)]
    [InlineData("dsize:<5", 0, 4)]
    [InlineData("dsize:>5", 6, int.MaxValue)]
    [InlineData("dsize:5<>7", 6, 6)]
    public void Parse_Dsize_InclusiveBounds(string option, int min, int max)
    {
        var rule = Single($"alert udp any any -> any any ({option}; sid:1;)");

        Assert.Equal((min, max), rule.Dsize);
    }

    [Fact]
    public void Parse_Variables_ResolveNestedAndNegated()
    {
        var rule = Single("alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)");

        Assert.True(rule.Source.Contains(NetAddress.Parse("192.168.1.1")));
        Assert.False(rule.Source.Contains(NetAddress.Parse("8.8.8.8")));
        Assert.True(rule.Destination.Contains(NetAddress.Parse("8.8.8.8")));
        // Negation stays within the negated family (Suricata): !$HOME_NET holds no IPv6.
        Assert.False(rule.Destination.Contains(NetAddress.Parse("2001:db8::1")));
        Assert.False(rule.Destination.Contains(NetAddress.Parse("10.1.2.3")));
        Assert.True(rule.DestinationPorts.Contains(8080));
        Assert.False(rule.DestinationPorts.Contains(81));
    }

    [Fact]
    public void Parse_AddressListWithNegation_ExcludesInnerBlock()
    {
        var rule = Single("alert ip [10.0.0.0/8,!10.1.0.0/16,2001:db8::/32] any -> ![1.1.1.1,2.2.2.2] any (sid:1;)");

        Assert.True(rule.Source.Contains(NetAddress.Parse("10.2.0.1")));
        Assert.False(rule.Source.Contains(NetAddress.Parse("10.1.255.255")));
        Assert.True(rule.Source.Contains(NetAddress.Parse("2001:db8:ffff::1")));
        Assert.False(rule.Source.Contains(NetAddress.Parse("11.0.0.0")));
        Assert.False(rule.Destination.Contains(NetAddress.Parse("2.2.2.2")));
        Assert.True(rule.Destination.Contains(NetAddress.Parse("2.2.2.3")));
    }

    [Fact]
    public void Parse_NegationPerFamily_OnlyNegatedFamilyStartsFromAll()
    {
        var rule = Single("alert ip [!10.1.0.0/16,2001:db8::/32] any -> [!2001:db8::/32] any (sid:1;)");

        Assert.True(rule.Source.Contains(NetAddress.Parse("10.2.0.1")));
        Assert.False(rule.Source.Contains(NetAddress.Parse("10.1.0.1")));
        Assert.True(rule.Source.Contains(NetAddress.Parse("2001:db8::9")));
        Assert.False(rule.Source.Contains(NetAddress.Parse("2001:db9::9")));
        Assert.True(rule.Destination.Contains(NetAddress.Parse("2001:db9::1")));
        Assert.False(rule.Destination.Contains(NetAddress.Parse("2001:db8::1")));
        Assert.False(rule.Destination.Contains(NetAddress.Parse("1.2.3.4")));
    }

    [Fact]
    public void Parse_PortRangesListsNegation_Compile()
    {
        var rule = Single("alert tcp any [:100,!50] -> any [1024:,!2000:2010] (sid:1;)");

        Assert.True(rule.SourcePorts.Contains(0));
        Assert.True(rule.SourcePorts.Contains(100));
        Assert.False(rule.SourcePorts.Contains(50));
        Assert.False(rule.SourcePorts.Contains(101));
        Assert.True(rule.DestinationPorts.Contains(65535));
        Assert.True(rule.DestinationPorts.Contains(1999));
        Assert.False(rule.DestinationPorts.Contains(2005));
        Assert.False(rule.DestinationPorts.Contains(1023));
    }

    [Fact]
    public void Parse_ListOfOnlyNegations_MeansAnyExcept()
    {
        var rule = Single("alert udp any any -> any [!53,!123] (sid:1;)");

        Assert.True(rule.DestinationPorts.Contains(54));
        Assert.False(rule.DestinationPorts.Contains(123));
    }

    [Fact]
    public void Parse_BidirectionalArrow_IsRecorded()
    {
        var rule = Single("alert udp 1.1.1.1 any <> 2.2.2.2 53 (sid:1;)");

        Assert.True(rule.Bidirectional);
    }

    [Fact]
    public void Parse_CommentsBlankLinesAndContinuations_LoadAndKeepFirstLineNumber()
    {
        var diagnostics = new ConfigDiagnostics();
        string text = "# comment\n\nalert udp any any -> any any ( \\\n  content:\"x\"; \\\n  sid:1;)\nalert udp any any -> any any (bogus; sid:2;)\n";

        var definition = Parse(text, diagnostics);

        Assert.Equal(1, definition.RulesLoaded);
        Assert.Equal("t.rules:6", Assert.Single(diagnostics.Warnings).Where);
    }

    [Fact]
    public void Parse_UnsupportedKeyword_RejectedWithFileLineAndKeyword()
    {
        var warning = Rejected("alert tcp any any -> any any (sid:1;)\n\nalert tcp any any -> any any (content:\"a\"; base64_decode; sid:2;)");

        Assert.Equal("t.rules:3", warning.Where);
        Assert.Equal("unsupported keyword 'base64_decode'", warning.Message);
    }

    [Theory]
    [InlineData("config tcp any any -> any any (sid:1;)", "unsupported action 'config'")]
    [InlineData("alert smb any any -> any any (sid:1;)", "unsupported protocol 'smb'")]
    [InlineData("alert tcp any any => any any (sid:1;)", "unsupported direction '=>'")]
    [InlineData("alert tcp any any -> any any (msg:\"x\";)", "missing sid")]
    [InlineData("alert tcp any any -> any any sid:1;", "expected '(options)'")]
    [InlineData("alert tcp any -> any any (sid:1;)", "expected 7 header fields")]
    [InlineData("alert tcp $NOPE any -> any any (sid:1;)", "undefined variable '$NOPE'")]
    [InlineData("alert tcp 10.0.0.0/33 any -> any any (sid:1;)", "bad address")]
    [InlineData("alert tcp any 70000 -> any any (sid:1;)", "bad port")]
    [InlineData("alert tcp any 90:80 -> any any (sid:1;)", "backwards")]
    [InlineData("alert icmp any 80 -> any any (sid:1;)", "ports must be 'any'")]
    [InlineData("alert tcp any any -> any any (nocase; sid:1;)", "'nocase' needs a preceding content")]
    [InlineData("alert tcp any any -> any any (content:\"ab\"; offset:1; distance:2; sid:1;)", "cannot be mixed")]
    [InlineData("alert tcp any any -> any any (content:\"abc\"; depth:2; sid:1;)", "depth 2 is shorter")]
    [InlineData("alert tcp any any -> any any (content:\"abc\"; within:2; sid:1;)", "within 2 is shorter")]
    [InlineData("alert tcp any any -> any any (content:\"|4|\"; sid:1;)", "odd number of hex digits")]
    [InlineData("alert tcp any any -> any any (content:\"|4g|\"; sid:1;)", "bad hex character")]
    [InlineData("alert tcp any any -> any any (content:\"a\\nb\"; sid:1;)", "content allows only the escapes")]
    [InlineData("alert tcp any any -> any any (content:\"\"; sid:1;)", "empty content")]
    // Quotes do not protect ';' (Suricata): the content ends at it and is left unterminated.
    [InlineData("alert tcp any any -> any any (content:\"a;b\"; sid:1;)", "content must be a quoted string")]
    [InlineData("alert tcp any any -> any any (msg:\"a;b\"; sid:1;)", "unsupported keyword 'b\"'")]
    [InlineData("alert tcp any any -> any any (pcre:\"/a/K\"; sid:1;)", "unsupported pcre modifier 'K'")]
    [InlineData("alert tcp any any -> any any (pcre:\"/(a/\"; sid:1;)", "bad pcre")]
    [InlineData("alert tcp any any -> any any (flow:to_server,to_client; sid:1;)", "contradictory flow options")]
    [InlineData("alert tcp any any -> any any (flow:only_frag; sid:1;)", "unsupported flow option 'only_frag'")]
    [InlineData("alert tcp any any -> any any (dsize:5<>6; sid:1;)", "dsize range is empty")]
    [InlineData("alert tcp any any -> any any (flags:SX; sid:1;)", "unknown TCP flag 'X'")]
    [InlineData("alert tcp any any -> any any (flags:0S; sid:1;)", "cannot be combined")]
    [InlineData("alert udp any any -> any any (flags:S; sid:1;)", "flags needs protocol tcp")]
    [InlineData("alert tcp any any -> any any (sid:abc;)", "'sid' must be an integer")]
    [InlineData("alert tcp any any -> any any (sid:1)", "is not terminated by ';'")]
    public void Parse_BadRule_RejectedWithReason(string rule, string reason)
    {
        var warning = Rejected(rule);

        Assert.Equal("t.rules:1", warning.Where);
        Assert.Contains(reason, warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateSidSameRev_FirstKept()
    {
        var diagnostics = new ConfigDiagnostics();

        var definition = Parse("alert tcp any any -> any any (sid:5;)\nalert udp any any -> any any (sid:5;)", diagnostics);

        Assert.Equal(IpProtocol.Tcp, Assert.Single(definition.Rules).Protocol);
        Assert.Equal(1, definition.RulesRejected);
        var warning = Assert.Single(diagnostics.Warnings);
        Assert.Equal(("t.rules:2", "duplicate sid 5: rev 0 at t.rules:1 is kept"), (warning.Where, warning.Message));
    }

    [Fact]
    public void Parse_DuplicateSidHigherRev_ReplacesEarlier()
    {
        var diagnostics = new ConfigDiagnostics();

        var definition = Parse("alert tcp any any -> any any (sid:5; rev:1;)\nalert udp any any -> any any (sid:5; rev:2;)", diagnostics);

        Assert.Equal(IpProtocol.Udp, Assert.Single(definition.Rules).Protocol);
        Assert.Equal(1, definition.RulesRejected);
        Assert.Equal("t.rules:1", Assert.Single(diagnostics.Warnings).Where);
    }

    [Fact]
    public void Parse_RulesOfEachAction_SortedPassDropAlert()
    {
        var definition = Parse("alert udp any any -> any any (sid:1;)\ndrop udp any any -> any any (sid:2;)\npass udp any any -> any any (sid:3;)\nalert udp any any -> any any (sid:4;)");

        Assert.Equal(new[] { 3, 2, 1, 4 }, definition.Rules.Select(r => r.Sid));
    }
}
