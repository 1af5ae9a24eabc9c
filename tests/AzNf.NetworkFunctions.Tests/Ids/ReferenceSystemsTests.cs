using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>reference.config turns a rule's references into links that ride along to its alerts.</summary>
public class ReferenceSystemsTests
{
    private static readonly RuleText File = new("reference.config", """
        # Suricata's format
        config reference: bugtraq   http://www.securityfocus.com/bid/
        config reference: CVE       http://cve.mitre.org/cgi-bin/cvename.cgi?name=
        config reference: url       http://
        """);

    [Fact]
    public void Alert_CarriesTheRulesReferencesAsLinks()
    {
        var diagnostics = new ConfigDiagnostics();
        var alerts = Alerts("""
            alert udp any any -> any 53 (msg:"a"; content:"x"; reference:cve,2021-44228; reference:url,example.com/advisory; reference:nosuch,42; sid:1;)
            alert udp any any -> any 53 (msg:"b"; content:"x"; sid:2;)
            """, ReferenceSystems.Parse(File), diagnostics);

        Assert.Equal(
            ["http://cve.mitre.org/cgi-bin/cvename.cgi?name=2021-44228", "http://example.com/advisory", "nosuch,42"],
            Assert.Single(alerts, a => a.Sid == 1).References);
        Assert.Null(Assert.Single(alerts, a => a.Sid == 2).References);
        // An unknown system is a warning (as in Suricata), not a rejected rule.
        var warning = Assert.Single(diagnostics.Warnings);
        Assert.Equal(("ids-reference-unknown", "t.rules:1"), (warning.Code, warning.Where));
    }

    [Fact]
    public void Alert_WithoutReferenceFile_CarriesNoReferences()
    {
        var alerts = Alerts("alert udp any any -> any 53 (content:\"x\"; reference:cve,2021-44228; sid:1;)", referenceSystems: null, new ConfigDiagnostics());

        Assert.Null(Assert.Single(alerts).References);
    }

    [Theory]
    [InlineData("reference:cve;")]
    [InlineData("reference:,2021-1;")]
    [InlineData("reference:cve,;")]
    public void Parse_MalformedReference_RejectsTheRuleWithItsReason(string reference)
    {
        var definition = IdsDefinition.Parse([new RuleText("t.rules", $"alert udp any any -> any 53 (content:\"x\"; {reference} sid:1;)")], IdsTestHarness.DefaultVariables);

        Assert.Equal(0, definition.RulesLoaded);
        Assert.Equal("keyword:reference", Assert.Single(definition.Rejections.ByReason).Reason);
    }

    [Theory]
    [InlineData("config reference: url")]
    [InlineData("config reference url http://")]
    [InlineData("config reference: 9url http://")]
    public void Parse_BadLine_ConfigExceptionNamingFileAndLine(string line)
    {
        var error = Assert.Throws<ConfigException>(() => ReferenceSystems.Parse(new RuleText("r.config", "config reference: cve http://x/\n" + line + "\n")));

        Assert.Equal("r.config:2", error.Where);
    }

    private static IReadOnlyList<Alert> Alerts(string rules, IReadOnlyDictionary<string, string>? referenceSystems, ConfigDiagnostics diagnostics)
    {
        var definition = IdsDefinition.Parse([new RuleText("t.rules", rules)], IdsTestHarness.DefaultVariables, diagnostics: diagnostics, referenceSystems: referenceSystems);
        var alerts = new AlertLog();
        var detector = (IntrusionDetector)definition.CreateInstance(new PartitionResources(0, alerts));
        var frame = AzNf.Generators.PacketBuilder.Udp(AzNf.Packets.Parsing.NetAddress.Parse("10.0.0.1"), 1000, AzNf.Packets.Parsing.NetAddress.Parse("10.0.0.2"), 53, "x"u8);
        AzNf.Packets.Parsing.PacketParser.Parse(AzNf.Packets.Parsing.LinkType.Ethernet, frame, out var parsed);
        var context = new PacketContext { Frame = frame, Packet = parsed, WireLength = frame.Length, Index = 1 };
        detector.StartFlow(0);
        detector.Process(ref context, 0);
        return alerts.Alerts;
    }
}
