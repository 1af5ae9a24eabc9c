using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Tests.Chain;

public class ChainFileQosTests
{
    [Fact]
    public void Parse_DeadlinesAndPolicies_ReadPerStageAndForTheChain()
    {
        const string Json = """
            { "mode": "staged", "granularity": "flow", "deadlineMs": 50, "onDeadline": "fail-closed",
              "stages": [ { "name": "c1", "type": "counter", "deadlineMs": 2.5, "onDeadline": "skip" },
                          { "name": "c2", "type": "counter" } ] }
            """;

        var chain = TestChains.Parse(Json);

        Assert.Equal(ChainMode.Staged, chain.Mode);
        Assert.Equal(ChainGranularity.Flow, chain.Granularity);
        Assert.Equal(TimeSpan.FromMilliseconds(50), chain.Deadline);
        Assert.Equal(DeadlinePolicy.FailClosed, chain.OnDeadline);
        Assert.Equal(new StageQos("c1", TimeSpan.FromMilliseconds(2.5), DeadlinePolicy.Skip), chain.StageDeadlines[0]);
        Assert.Equal(new StageQos("c2", null, DeadlinePolicy.FailOpen), chain.StageDeadlines[1]);
    }

    [Fact]
    public void Parse_NoDurableSettings_DefaultsAreFusedBatchNoDeadline()
    {
        var chain = TestChains.Parse("""{ "stages": [ { "type": "counter" } ] }""");

        Assert.Equal(ChainMode.Fused, chain.Mode);
        Assert.Equal(ChainGranularity.Batch, chain.Granularity);
        Assert.Null(chain.Deadline);
        Assert.Null(Assert.Single(chain.StageDeadlines).Deadline);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("\"10\"")]
    public void Parse_StageDeadlineNotPositive_ErrorNamesTheStage(string value)
    {
        string json = $$"""{ "stages": [ { "type": "counter" }, { "name": "slow", "type": "counter", "deadlineMs": {{value}} } ] }""";

        var error = Assert.Throws<ConfigException>(() => TestChains.Parse(json));

        Assert.Equal("test.json: stages[1].deadlineMs", error.Where);
        Assert.Contains("stage 'slow'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ChainDeadlineZero_ErrorNamesTheChain()
    {
        var error = Assert.Throws<ConfigException>(() => TestChains.Parse("""{ "deadlineMs": 0, "stages": [ { "type": "counter" } ] }"""));

        Assert.Equal("test.json: deadlineMs", error.Where);
        Assert.Contains("the chain", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "stages": [ { "type": "counter", "onDeadline": "retry" } ] }""", "test.json: stages[0].onDeadline")]
    [InlineData("""{ "mode": "parallel", "stages": [ { "type": "counter" } ] }""", "test.json: mode")]
    [InlineData("""{ "granularity": "partition", "stages": [ { "type": "counter" } ] }""", "test.json: granularity")]
    public void Parse_UnknownChoice_ErrorNamesTheProperty(string json, string where)
    {
        var error = Assert.Throws<ConfigException>(() => TestChains.Parse(json));

        Assert.Equal(where, error.Where);
    }
}
