using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;
using AzNf.NetworkFunctions.Firewall;

namespace AzNf.NetworkFunctions.Tests.Firewall;

public sealed class FirewallDefinitionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("aznf-fw-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Load_MissingRuleFile_ThrowsNamingTheFile()
    {
        string path = Path.Combine(_folder, "absent.rules");

        var error = Assert.Throws<ConfigException>(() => FirewallDefinition.Load(Setup(path, "{}")));

        Assert.Equal(path, error.Where);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoRulesPath_ThrowsNamingTheStage()
    {
        var error = Assert.Throws<ConfigException>(() => FirewallDefinition.Load(Setup(null, "{}")));

        Assert.Equal("chain.json: stages[1]", error.Where);
    }

    [Fact]
    public void Load_RulesConfigAndVariables_AreAllApplied()
    {
        string path = WriteRules("allow tcp from $ADMIN to any port 22\n");
        var setup = Setup(path, """{ "defaultPolicy": "allow", "tcpPickup": true, "timeouts": { "established": 3600, "udp": 5 } }""");

        var definition = FirewallDefinition.Load(setup);

        Assert.Equal("fw", definition.Name);
        Assert.Equal("firewall", definition.Kind);
        Assert.Equal(FirewallAction.Allow, definition.Options.DefaultPolicy);
        Assert.True(definition.Options.TcpPickup);
        Assert.Equal(3600 * FirewallHarness.Second, definition.Options.TimeoutNanos[(int)ConntrackState.Established]);
        Assert.Equal(5 * FirewallHarness.Second, definition.Options.TimeoutNanos[(int)ConntrackState.UdpUnreplied]);
        Assert.Equal(120 * FirewallHarness.Second, definition.Options.TimeoutNanos[(int)ConntrackState.TimeWait]);
        Assert.True(Assert.Single(definition.Rules).Source.Contains(FirewallRule.ToValue(Packets.Parsing.NetAddress.Parse("10.9.0.1"))));
    }

    [Fact]
    public void Load_BadLineUnderDefaultPolicy_RefusesFileAfterReportingEveryBadLine()
    {
        string path = WriteRules("deny tcp from any to any port 23\ndeny tcp from any to any port 445 extra\nallow ip from any to any\nbogus\n");
        var setup = Setup(path, "{}");

        var error = Assert.Throws<ConfigException>(() => FirewallDefinition.Load(setup));

        Assert.Equal($"{path}:2", error.Where);
        Assert.Contains("unexpected 'extra' after the rule", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 rule line(s) rejected", error.Message, StringComparison.Ordinal);
        Assert.Equal([$"{path}:2", $"{path}:4"], setup.Diagnostics.Warnings.Select(w => w.Where));
        Assert.Equal(2, setup.Diagnostics.Counts["firewall-rule-rejected"]);
    }

    [Fact]
    public void Load_BadLineUnderSkipRule_WarnsAndLoadsTheRest()
    {
        string path = WriteRules("deny tcp from any to any port 23\ndeny tcp from any to any port 445 extra\nallow ip from any to any\n");
        var setup = Setup(path, """{ "onBadRule": "skip-rule" }""");

        var definition = FirewallDefinition.Load(setup);

        Assert.Equal([1, 3], definition.Rules.Select(r => r.Line));
        Assert.Equal(1, definition.RejectedRules);
        var warning = Assert.Single(setup.Diagnostics.Warnings);
        Assert.Equal($"{path}:2", warning.Where);
        Assert.Equal("firewall-rule-rejected", warning.Code);
    }

    [Fact]
    public void Load_MoreRulesThanMaxRules_RefusesFile()
    {
        string path = WriteRules("allow tcp from any to any port 1\nallow tcp from any to any port 2\nallow tcp from any to any port 3\n");

        var error = Assert.Throws<ConfigException>(() => FirewallDefinition.Load(Setup(path, """{ "maxRules": 2 }""")));

        Assert.Contains("3 rules exceed maxRules 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "defaultPolicy": "reject" }""", "config.defaultPolicy")]
    [InlineData("""{ "defaultPolicy": 1 }""", "config.defaultPolicy")]
    [InlineData("""{ "onBadRule": "ignore" }""", "config.onBadRule")]
    [InlineData("""{ "invalidPolicy": "allow" }""", "config.invalidPolicy")]
    [InlineData("""{ "malformedPolicy": "maybe" }""", "config.malformedPolicy")]
    [InlineData("""{ "nonIpPolicy": null }""", "config.nonIpPolicy")]
    [InlineData("""{ "tcpPickup": "yes" }""", "config.tcpPickup")]
    [InlineData("""{ "maxRules": 0 }""", "config.maxRules")]
    [InlineData("""{ "maxRules": 70000 }""", "config.maxRules")]
    [InlineData("""{ "timeouts": { "established": -1 } }""", "config.timeouts.established")]
    [InlineData("""{ "timeouts": { "established": 1.5 } }""", "config.timeouts.established")]
    [InlineData("""{ "timeouts": { "syn": 5 } }""", "config.timeouts.syn")]
    [InlineData("""{ "timeouts": 5 }""", "config.timeouts")]
    [InlineData("""{ "defaultpolicy": "deny" }""", "config.defaultpolicy")]
    [InlineData("""[]""", "config")]
    public void Load_BadConfigValue_ThrowsNamingLocationAndField(string config, string expectedField)
    {
        string path = WriteRules("allow ip from any to any\n");

        var error = Assert.Throws<ConfigException>(() => FirewallDefinition.Load(Setup(path, config)));

        Assert.Equal("chain.json: stages[1]: " + expectedField, error.Where);
    }

    [Fact]
    public void Load_NoConfig_UsesSafeDefaults()
    {
        string path = WriteRules("allow ip from any to any\n");

        var options = FirewallDefinition.Load(Setup(path, null)).Options;

        Assert.Equal(FirewallAction.Deny, options.DefaultPolicy);
        Assert.Equal(BadRulePolicy.RejectFile, options.OnBadRule);
        Assert.Equal(InvalidPacketPolicy.Drop, options.InvalidPolicy);
        Assert.Equal(FirewallAction.Deny, options.MalformedPolicy);
        Assert.Equal(FirewallAction.Allow, options.NonIpPolicy);
        Assert.False(options.TcpPickup);
        Assert.Equal(432_000 * FirewallHarness.Second, options.TimeoutNanos[(int)ConntrackState.Established]);
    }

    private string WriteRules(string text)
    {
        string path = Path.Combine(_folder, "fw.rules");
        File.WriteAllText(path, text);
        return path;
    }

    private static StageSetup Setup(string? rulesPath, string? config) => new()
    {
        Name = "fw",
        Kind = "firewall",
        Rules = rulesPath is { } rules ? RuleSource.Folder("/").Read(rules, "chain.json: stages[1]") : null,
        Blocklist = new HashSet<NetAddress>(),
        Config = config is null ? default : JsonDocument.Parse(config).RootElement.Clone(),
        Variables = new Dictionary<string, string> { ["ADMIN"] = "[10.9.0.0/16]" },
        Diagnostics = new ConfigDiagnostics(),
        Location = "chain.json: stages[1]",
    };
}
