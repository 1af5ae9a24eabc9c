using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions.Tests.Chain;

public class ChainDefinitionTests
{
    private static ConfigException Bad(string json) =>
        Assert.Throws<ConfigException>(() => ChainDefinition.Parse(json, "bad.json", Path.GetTempPath()));

    [Fact]
    public void Parse_FullFile_ReadsStagesVariablesAndLimits()
    {
        var chain = ChainDefinition.Parse(
            """
            { "name": "c1", "variables": { "$HOME_NET": "10.0.0.0/8" },
              "flowTable": { "capacity": 1000, "timeoutsSeconds": { "udp": 5 } },
              "report": { "maxFlows": 10 },
              "stages": [ { "name": "count", "type": "counter" } ] }
            """, "c1.json", Path.GetTempPath());

        Assert.Equal("c1", chain.Name);
        Assert.Equal("count", Assert.Single(chain.Stages).Name);
        Assert.Equal("10.0.0.0/8", chain.Variables["HOME_NET"]);
        Assert.Equal(1000, chain.FlowTable.Capacity);
        Assert.Equal(TimeSpan.FromSeconds(5), chain.FlowTable.UdpTimeout);
        Assert.Equal(10, chain.MaxReportFlows);
    }

    [Fact]
    public void Parse_InvalidJson_NamesLineAndColumn()
    {
        var e = Bad("{\n  \"stages\": [ { \"type\": \"counter\" } \n  oops }");

        Assert.StartsWith("bad.json:3:", e.Where);
    }

    [Theory]
    [InlineData("""{ "stages": [] }""", "stages")]
    [InlineData("""{ "stages": [ { "type": "teleporter" } ] }""", "stages[0].type")]
    [InlineData("""{ "stages": [ { "type": "counter" }, { "type": "counter" } ] }""", "stages[1].name")]
    [InlineData("""{ "stages": [ { "name": "", "type": "counter" } ] }""", "stages[0].name")]
    [InlineData("""{ "stages": [ { "type": "counter", "rulez": "x" } ] }""", "stages[0].rulez")]
    [InlineData("""{ "stagez": [] }""", "stagez")]
    [InlineData("""{ "flowTable": { "capacity": 0 }, "stages": [ { "type": "counter" } ] }""", "flowTable.capacity")]
    [InlineData("""{ "flowTable": { "timeoutsSeconds": { "sctp": 3 } }, "stages": [ { "type": "counter" } ] }""", "flowTable.timeoutsSeconds.sctp")]
    [InlineData("""{ "variables": { "HOME NET": "x" }, "stages": [ { "type": "counter" } ] }""", "variables.HOME NET")]
    [InlineData("""{ "stages": [ { "type": "counter", "config": { "x": 1 } } ] }""", "stages[0].config.x")]
    public void Parse_BadChain_ErrorNamesThePlace(string json, string place)
    {
        var e = Bad(json);

        Assert.Contains(place, e.Where, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoStagesOfOneType_BothLoadedUnderTheirNames()
    {
        var chain = ChainDefinition.Parse(
            """{ "stages": [ { "name": "count-in", "type": "counter" }, { "name": "count-out", "type": "counter" } ] }""", "c.json", Path.GetTempPath());

        Assert.Equal(["count-in", "count-out"], chain.Stages.Select(s => s.Name));
    }

    [Fact]
    public void Parse_StageNameLongerThanTheLimit_Refused()
    {
        string name = new('n', ChainDefinition.MaxStageNameBytes + 1);

        var e = Bad($$"""{ "stages": [ { "name": "{{name}}", "type": "counter" } ] }""");

        Assert.Equal("bad.json: stages[0].name", e.Where);
        Assert.Contains($"1 to {ChainDefinition.MaxStageNameBytes} UTF-8 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ErrorNamesTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "no-such-chain-" + Guid.NewGuid() + ".json");

        var e = Assert.Throws<ConfigException>(() => ChainDefinition.Load(path));

        Assert.Equal(path, e.Where);
    }
}
