using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

public sealed class IdsDefinitionTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aznf-ids-def-" + Guid.NewGuid().ToString("N"));

    public IdsDefinitionTests() => Directory.CreateDirectory(_directory);

    private StageSetup Setup(string? rulesPath, string config = "{}") => new()
    {
        Name = "ids",
        Kind = "ids",
        Rules = rulesPath is { } rules ? RuleSource.Folder("/").Read(rules, "chain.json: stages[2]") : null,
        Blocklist = new HashSet<NetAddress>(),
        Config = JsonDocument.Parse(config).RootElement.Clone(),
        Variables = IdsTestHarness.DefaultVariables,
        Diagnostics = new ConfigDiagnostics(),
        Location = "chain.json: stages[2]",
    };

    [Fact]
    public void Load_RulesFileWithOneBadRule_LoadsRestAndReportsRejection()
    {
        string path = Path.Combine(_directory, "local.rules");
        File.WriteAllText(path, "alert tcp any any -> any 80 (content:\"a\"; sid:1;)\nalert tcp any any -> any 80 (xyz; sid:2;)\nalert udp any any -> any 53 (sid:3;)\n");
        var setup = Setup(path, """{ "pcreTimeoutMs": 50, "streamDepthBytes": 4096, "maxBufferedSegments": 4 }""");

        var definition = IdsDefinition.Load(setup);

        Assert.Equal("ids", definition.Kind);
        Assert.Equal(2, definition.RulesLoaded);
        Assert.Equal(1, definition.RulesRejected);
        Assert.Equal(new IdsOptions { PcreTimeoutMs = 50, StreamDepthBytes = 4096, MaxBufferedSegments = 4 }, definition.Options);
        var warning = Assert.Single(setup.Diagnostics.Warnings);
        Assert.Equal(new ConfigWarning("ids-rule-rejected", "local.rules:2", "unsupported keyword 'xyz'"), warning);
        Assert.Equal(1, setup.Diagnostics.Counts["ids-rule-rejected"]);
    }

    /// <summary>A rule over 8 KiB (Suricata's limit) is rejected as too long at its first line; a 10 MB one too, and the rules around it load.</summary>
    [Theory]
    [InlineData(8 * 1024)]
    [InlineData(10 * 1024 * 1024)]
    public void Load_RuleLongerThanMaxRuleBytes_RejectedAsTooLongNamingItsLine(int contentBytes)
    {
        string path = Path.Combine(_directory, "long.rules");
        File.WriteAllText(path,
            "alert tcp any any -> any 80 (content:\"ok\"; sid:1;)\n" +
            "alert tcp any any -> any 80 (content:\"\\\n" + new string('A', contentBytes) + "\"; sid:2;)\n" +
            "alert tcp any any -> any 80 (content:\"fine\"; sid:3;)\n");
        var setup = Setup(path);

        var definition = IdsDefinition.Load(setup);
        var raised = IdsDefinition.Load(Setup(path, """{ "maxRuleBytes": 1048576 }"""));

        Assert.Equal(2, definition.RulesLoaded);
        Assert.Equal(new RuleRejection("too-long", 1, "long.rules:2"), Assert.Single(definition.Rejections.ByReason));
        var warning = Assert.Single(setup.Diagnostics.Warnings);
        Assert.Equal("long.rules:2", warning.Where);
        Assert.Contains("longer than maxRuleBytes (8,192)", warning.Message, StringComparison.Ordinal);
        Assert.True(warning.Message.Length < 200);
        Assert.Equal(contentBytes < 1 << 20 ? 3 : 2, raised.RulesLoaded);
    }

    /// <summary>100,000 rules (ET Open is ~60,000) all load.</summary>
    [Fact]
    public void Load_HundredThousandRules_AllLoad()
    {
        string path = Path.Combine(_directory, "many.rules");
        File.WriteAllLines(path, Enumerable.Range(0, 100_000).Select(i =>
            $"alert tcp any any -> any 80 (msg:\"r{i}\"; flow:established,to_server; content:\"tok{i:D6}x{i * 7919 % 100_003:x}\"; sid:{1_000_000 + i}; rev:1;)"));

        var definition = IdsDefinition.Load(Setup(path));

        Assert.Equal(100_000, definition.RulesLoaded);
        Assert.Equal(0, definition.RulesRejected);
    }

    [Fact]
    public void Load_MissingRulesFile_ConfigExceptionNamingFile()
    {
        string path = Path.Combine(_directory, "missing.rules");

        var error = Assert.Throws<ConfigException>(() => IdsDefinition.Load(Setup(path)));

        Assert.Equal(path, error.Where);
    }

    [Fact]
    public void Load_NoRulesPath_ConfigExceptionNamingStage()
    {
        var error = Assert.Throws<ConfigException>(() => IdsDefinition.Load(Setup(null)));

        Assert.Equal("chain.json: stages[2]", error.Where);
    }

    [Theory]
    [InlineData("""{ "pcreTimeoutMs": 0 }""", "pcreTimeoutMs")]
    [InlineData("""{ "pcreTimeoutMs": "fast" }""", "pcreTimeoutMs")]
    [InlineData("""{ "streamDepthBytes": -1 }""", "streamDepthBytes")]
    [InlineData("""{ "maxBufferedSegments": 1.5 }""", "maxBufferedSegments")]
    [InlineData("""{ "streamWindowBytes": 99999999 }""", "streamWindowBytes")]
    [InlineData("""{ "colour": 1 }""", "colour")]
    [InlineData("""{ "pcreEngine": "fast" }""", "pcreEngine")]
    [InlineData("""{ "maxRuleBytes": 100 }""", "maxRuleBytes")]
    public void Load_BadOption_ConfigExceptionNamingLocationAndField(string config, string field)
    {
        string path = Path.Combine(_directory, "ok.rules");
        File.WriteAllText(path, "alert udp any any -> any any (sid:1;)");

        var error = Assert.Throws<ConfigException>(() => IdsDefinition.Load(Setup(path, config)));

        Assert.Equal($"chain.json: stages[2].config.{field}", error.Where);
    }

    [Fact]
    public void Load_ConfigNotAnObject_ConfigException()
    {
        string path = Path.Combine(_directory, "x.rules");
        File.WriteAllText(path, "alert udp any any -> any 53 (sid:1;)\n");

        var error = Assert.Throws<ConfigException>(() => IdsDefinition.Load(Setup(path, "[1]")));

        Assert.Equal("chain.json: stages[2]", error.Where);
    }

    [Fact]
    public void Instances_SharingOneDefinition_KeepSeparateState()
    {
        var definition = IdsDefinition.Parse("alert udp any any -> any any (content:\"x\"; sid:1;)", "t.rules");
        var firstLog = new AlertLog();
        var secondLog = new AlertLog();
        var first = definition.CreateInstance(new PartitionResources(0, firstLog));
        _ = definition.CreateInstance(new PartitionResources(1, secondLog));
        var frame = PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), 1, NetAddress.Parse("10.0.0.2"), 2, "x"u8);
        var context = new PacketContext { Frame = frame, Malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed), Index = 1 };
        context.Packet = parsed;
        first.StartFlow(0);

        first.Process(ref context, 0);

        Assert.Single(firstLog.Alerts);
        Assert.Empty(secondLog.Alerts);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
