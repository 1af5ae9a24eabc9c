using AzNf.NetworkFunctions.Ids;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>Payload keywords on single UDP datagrams (no stream involved).</summary>
public sealed class IdsPayloadTests
{
    private static bool Alerts(string options, string payload) => Alerts(options, TcpConversation.Bytes(payload));

    private static bool Alerts(string options, byte[] payload)
    {
        var harness = new IdsTestHarness($"alert udp any any -> any any ({options} sid:1;)");
        Assert.Equal(1, harness.Definition.RulesLoaded);

        harness.Send(PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), 1111, NetAddress.Parse("10.0.0.2"), 2222, payload));

        return harness.AlertedSids.Contains(1);
    }

    [Theory]
    [InlineData("content:\"abc\";", "xxabcxx", true)]
    [InlineData("content:\"abc\";", "xxABCxx", false)]
    [InlineData("content:\"abc\"; nocase;", "xxABCxx", true)]
    [InlineData("content:\"ABC\"; nocase;", "xxaBcxx", true)]
    [InlineData("content:\"a\"; nocase;", "A", true)]
    public void Content_Case_OnlyNocaseFolds(string options, string payload, bool expected) =>
        Assert.Equal(expected, Alerts(options, payload));

    [Fact]
    public void Content_Hex_MatchesRawBytes()
    {
        Assert.True(Alerts("content:\"|00 01|A|ff|\";", new byte[] { 9, 0, 1, (byte)'A', 0xFF, 9 }));
        Assert.False(Alerts("content:\"|00 01|A|ff|\";", new byte[] { 9, 0, 1, (byte)'a', 0xFF, 9 }));
    }

    [Theory]
    [InlineData("content:\"abc\"; offset:2;", "xxabc", true)]
    [InlineData("content:\"abc\"; offset:3;", "xxabc", false)]
    [InlineData("content:\"abc\"; depth:3;", "abcxx", true)]
    [InlineData("content:\"abc\"; depth:4;", "xabc", true)]
    [InlineData("content:\"abc\"; depth:4;", "xxabc", false)]
    // depth counts from offset, as in Suricata: the window is [offset, offset + depth).
    [InlineData("content:\"abc\"; offset:2; depth:3;", "xxabcx", true)]
    [InlineData("content:\"abc\"; offset:2; depth:3;", "xxxabc", false)]
    [InlineData("content:\"abc\"; offset:2; depth:4;", "xxxabc", true)]
    [InlineData("content:\"abc\"; offset:10;", "abc", false)]
    public void Content_OffsetDepth_BoundTheWindow(string options, string payload, bool expected) =>
        Assert.Equal(expected, Alerts(options, payload));

    [Theory]
    [InlineData("content:\"ab\"; content:\"cd\"; distance:0;", "abcd", true)]
    [InlineData("content:\"ab\"; content:\"cd\"; distance:1;", "abcd", false)]
    [InlineData("content:\"ab\"; content:\"cd\"; distance:1;", "abxcd", true)]
    [InlineData("content:\"ab\"; content:\"cd\"; within:2;", "abcd", true)]
    [InlineData("content:\"ab\"; content:\"cd\"; within:3;", "abxxcd", false)]
    // within counts from the end of distance (Suricata): cd must lie in [end+1, end+1+3).
    [InlineData("content:\"ab\"; content:\"cd\"; distance:1; within:3;", "abxcdx", true)]
    [InlineData("content:\"ab\"; content:\"cd\"; distance:1; within:3;", "abxxcd", true)]
    [InlineData("content:\"ab\"; content:\"cd\"; distance:1; within:3;", "abxxxcd", false)]
    // A negative distance reaches back before the previous match's end.
    [InlineData("content:\"abcd\"; content:\"bc\"; distance:-3; within:2;", "abcd", true)]
    // A relative content before the previous match never matches, even if it occurs earlier.
    [InlineData("content:\"cd\"; content:\"ab\"; distance:0;", "abcd", false)]
    public void Content_DistanceWithin_AreRelativeToPreviousMatch(string options, string payload, bool expected) =>
        Assert.Equal(expected, Alerts(options, payload));

    [Fact]
    public void Content_RelativeFailsAtFirstOccurrence_RetriesLaterOccurrence()
    {
        Assert.True(Alerts("content:\"X=\"; content:\"END\"; distance:0; within:5;", "X=aaaaaaaa X=bEND"));
    }

    [Fact]
    public void Content_NocaseWithOffsetAndRelative_Combine()
    {
        Assert.True(Alerts("content:\"host\"; nocase; offset:1; content:\"EVIL\"; nocase; distance:1; within:5;", " HoSt: evil"));
        Assert.False(Alerts("content:\"host\"; nocase; offset:1; content:\"EVIL\"; nocase; distance:1; within:5;", "HoSt: evil"));
    }

    [Theory]
    [InlineData("content:!\"bad\";", "good", true)]
    [InlineData("content:!\"bad\";", "so bad", false)]
    [InlineData("content:\"cmd\"; content:!\"safe\"; distance:0; within:8;", "cmd=run x safe", true)]
    [InlineData("content:\"cmd\"; content:!\"safe\"; distance:0; within:8;", "cmd=safe", false)]
    [InlineData("content:\"a\"; content:!\"b\"; offset:3;", "ab", true)]
    public void Content_Negated_MatchesWhenAbsentFromItsWindow(string options, string payload, bool expected) =>
        Assert.Equal(expected, Alerts(options, payload));

    [Theory]
    [InlineData("pcre:\"/id=[0-9]+x/\";", "q id=123x", true)]
    [InlineData("pcre:\"/id=[0-9]+x/\";", "q ID=123X", false)]
    [InlineData("pcre:\"/id=[0-9]+x/i\";", "q ID=123X", true)]
    [InlineData("pcre:\"/^abc$/m\";", "x\nabc\ny", true)]
    [InlineData("pcre:\"/a.c/\";", "a\nc", false)]
    [InlineData("pcre:\"/a.c/s\";", "a\nc", true)]
    [InlineData("pcre:\"/a b c/x\";", "abc", true)]
    [InlineData("pcre:\"/\\x41\\xff/\";", "xA\u00ffx", true)]
    [InlineData("content:\"key=\"; pcre:\"/[a-f]+\\;/R\";", "key=abc;", true)]
    [InlineData("content:\"key=\"; pcre:\"/[a-f]+\\;/R\";", "abc; key=zz", false)]
    // With R the subject starts at the previous match's end, so '^' anchors there (Suricata).
    [InlineData("content:\"key=\"; pcre:\"/^[a-f]+\\;/R\";", "key=abc;", true)]
    [InlineData("content:\"key=\"; pcre:\"/^[a-f]+\\;/R\";", "key=zabc;", false)]
    [InlineData("content:\"k\"; pcre:\"/^k/R\";", "kk", true)]
    [InlineData("pcre:!\"/admin/\";", "user", true)]
    [InlineData("pcre:!\"/admin/\";", "admin", false)]
    public void Pcre_FlagsAndRelative_BehaveLikeSuricata(string options, string payload, bool expected) =>
        Assert.Equal(expected, Alerts(options, payload));

    [Fact]
    public void Pcre_CatastrophicPattern_TimesOutCountsErrorAndDoesNotAlert()
    {
        var harness = new IdsTestHarness("alert udp any any -> any any (pcre:\"/^(a+)+$/\"; sid:1;)", new IdsOptions { PcreTimeoutMs = 20 });
        var payload = TcpConversation.Bytes(new string('a', 40) + "!");

        var verdict = harness.Send(PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), 1, NetAddress.Parse("10.0.0.2"), 2, payload));

        Assert.False(verdict.IsDrop);
        Assert.Empty(harness.Alerts.Alerts);
        Assert.Equal(1, harness.Detector.Errors);
        var counters = new Dictionary<string, long>();
        harness.Detector.ReportCounters(counters);
        Assert.Equal(1, counters["pcre:timeouts"]);
    }

    [Fact]
    public void Prefilter_ManyRulesSharingPrefixes_EachFoundOnlyWhenPresent()
    {
        var rules = string.Join('\n', Enumerable.Range(1, 200).Select(i => $"alert udp any any -> any any (content:\"tok{i}x\"; sid:{i};)"));
        var harness = new IdsTestHarness(rules);

        harness.Send(PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), 1, NetAddress.Parse("10.0.0.2"), 2, TcpConversation.Bytes("..TOK17X..tok170x tok2x")));

        Assert.Equal(new[] { 2, 170 }, harness.AlertedSids.Order());
    }

    [Fact]
    public void Prefilter_NocaseRuleWithUpperCaseInPacket_IsCandidate()
    {
        var harness = new IdsTestHarness("alert udp any any -> any any (content:\"Secret\"; nocase; sid:1;)");

        harness.Send(PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), 1, NetAddress.Parse("10.0.0.2"), 2, TcpConversation.Bytes("SECRET")));

        Assert.Equal(new[] { 1 }, harness.AlertedSids);
    }

    [Fact]
    public void Pcre_LinearEngine_CatastrophicPatternMatchesWithoutTimeout()
    {
        var harness = new IdsTestHarness(
            "alert udp any any -> any any (pcre:\"/^(a+)+$/\"; sid:1;)\nalert udp any any -> any any (pcre:\"/(a)\\1!/\"; sid:2;)",
            // 2 s: the linear engine builds its automaton on the first match, which a loaded machine can take past a short budget; backtracking this pattern would still take far longer.
            new IdsOptions { PcreTimeoutMs = 2000, PcreEngine = "linear" });
        var payload = TcpConversation.Bytes(new string('a', 40) + "!");

        harness.Send(PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), 1, NetAddress.Parse("10.0.0.2"), 2, payload));

        Assert.Equal(0, harness.Detector.Errors);
        Assert.Equal(new[] { 2 }, harness.AlertedSids);
        var warning = Assert.Single(harness.Diagnostics.Warnings);
        Assert.Equal(("ids-pcre-backtracking", "test.rules:2"), (warning.Code, warning.Where));
    }
}
