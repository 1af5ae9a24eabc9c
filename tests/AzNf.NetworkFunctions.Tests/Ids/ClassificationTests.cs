using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>classification.config gives classtypes their category and priority; metadata rides along to the alert.</summary>
public class ClassificationTests
{
    private static readonly RuleText File = new("classification.config", """
        # name, description, priority
        config classification: web-application-attack,Web Application Attack,1
        config classification: attempted-recon,Attempted Information Leak,2
        """);

    [Fact]
    public void Alert_CarriesCategoryPriorityAndMetadata()
    {
        var classes = Classification.Parse(File);
        const string rules = """
            alert udp any any -> any 53 (msg:"a"; content:"x"; classtype:attempted-recon; metadata:signature_severity Major, tag A, tag B; sid:1;)
            alert udp any any -> any 53 (msg:"b"; content:"x"; priority:3; classtype:web-application-attack; sid:2;)
            alert udp any any -> any 53 (msg:"c"; content:"x"; classtype:no-such-class; sid:3;)
            """;
        var diagnostics = new ConfigDiagnostics();
        var definition = IdsDefinition.Parse([new RuleText("t.rules", rules)], IdsTestHarness.DefaultVariables, diagnostics: diagnostics, classifications: classes);
        var alerts = new AlertLog();
        var detector = (IntrusionDetector)definition.CreateInstance(new PartitionResources(0, alerts));
        var frame = AzNf.Generators.PacketBuilder.Udp(AzNf.Packets.Parsing.NetAddress.Parse("10.0.0.1"), 1000, AzNf.Packets.Parsing.NetAddress.Parse("10.0.0.2"), 53, "x"u8);
        AzNf.Packets.Parsing.PacketParser.Parse(AzNf.Packets.Parsing.LinkType.Ethernet, frame, out var parsed);
        var context = new PacketContext { Frame = frame, Packet = parsed, WireLength = frame.Length, Index = 1 };
        detector.StartFlow(0);

        detector.Process(ref context, 0);

        Assert.Contains("classtype 'no-such-class'", Assert.Single(diagnostics.Warnings).Message, StringComparison.Ordinal);
        var first = Assert.Single(alerts.Alerts, a => a.Sid == 1);
        Assert.Equal(2, first.Priority);
        Assert.Equal("Attempted Information Leak", first.Category);
        Assert.Equal(["Major"], first.Metadata!["signature_severity"]);
        Assert.Equal(["A", "B"], first.Metadata["tag"]);
        var second = Assert.Single(alerts.Alerts, a => a.Sid == 2);
        Assert.Equal(3, second.Priority);
        Assert.Equal("Web Application Attack", second.Category);
        Assert.Null(second.Metadata);
    }

    [Fact]
    public void Parse_BadLine_ConfigExceptionNamingFileAndLine()
    {
        var error = Assert.Throws<ConfigException>(() => Classification.Parse(new RuleText("c.config", "config classification: a,b,1\nconfig classification: broken\n")));

        Assert.Equal("c.config:2", error.Where);
    }
}
