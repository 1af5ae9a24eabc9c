using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Tests.Chain;

/// <summary>A chain's variablesFile in Suricata's vars format; the chain's own variables win.</summary>
public sealed class VariablesFileTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aznf-vars-" + Guid.NewGuid().ToString("N"));

    public VariablesFileTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Parse_ChainNamingSuricataVars_VariablesFromFileChainOverrides()
    {
        File.WriteAllText(Path.Combine(_directory, "suricata.yaml"), """
            %YAML 1.1
            ---
            vars:
              # address groups
              address-groups:
                HOME_NET: "[192.168.0.0/16,10.0.0.0/8]"   # inside
                EXTERNAL_NET: "!$HOME_NET"
                HTTP_SERVERS: '$HOME_NET'
              port-groups:
                HTTP_PORTS: "80"
                ORACLE_PORTS: 1521
            outputs:
              - eve-log:
                  enabled: yes
            """);

        var chain = ChainDefinition.Parse(
            """{ "name": "c", "variablesFile": "suricata.yaml", "variables": { "HTTP_PORTS": "[80,8080]" }, "stages": [ { "name": "count", "type": "counter" } ] }""",
            "c.json", _directory);

        Assert.Equal("[192.168.0.0/16,10.0.0.0/8]", chain.Variables["HOME_NET"]);
        Assert.Equal("!$HOME_NET", chain.Variables["EXTERNAL_NET"]);
        Assert.Equal("$HOME_NET", chain.Variables["HTTP_SERVERS"]);
        Assert.Equal("1521", chain.Variables["ORACLE_PORTS"]);
        Assert.Equal("[80,8080]", chain.Variables["HTTP_PORTS"]);
        Assert.False(chain.Variables.ContainsKey("enabled"));
    }

    [Fact]
    public void Parse_BadEntryInGroup_ConfigExceptionNamingFileAndLine()
    {
        File.WriteAllText(Path.Combine(_directory, "vars.yaml"), "vars:\n  address-groups:\n    HOME NET: \"10.0.0.0/8\"\n");

        var error = Assert.Throws<ConfigException>(() => ChainDefinition.Parse(
            """{ "variablesFile": "vars.yaml", "stages": [ { "name": "count", "type": "counter" } ] }""", "c.json", _directory));

        Assert.EndsWith("vars.yaml:3", error.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingVariablesFile_ConfigExceptionNamingIt()
    {
        var error = Assert.Throws<ConfigException>(() => ChainDefinition.Parse(
            """{ "variablesFile": "nope.yaml", "stages": [ { "name": "count", "type": "counter" } ] }""", "c.json", _directory));

        Assert.EndsWith("nope.yaml", error.Where, StringComparison.Ordinal);
    }
}
