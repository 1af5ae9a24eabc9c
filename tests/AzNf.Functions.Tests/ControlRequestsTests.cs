using System.Net;
using System.Text;
using System.Text.Json;
using AzNf.Functions.Http;
using AzNf.NetworkFunctions.Chain;
using AzNf.TestOracles;

namespace AzNf.Functions.Tests;

public sealed class ControlRequestsTests
{
    private static readonly string Samples = Path.Combine(OracleProcess.RepositoryRoot(), "samples");
    private static readonly ChainDefinition Running = ChainDefinition.Load(Path.Combine(Samples, "chains", "full.json"));

    private static byte[] Request(string chainJson, Dictionary<string, string>? rules = null) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            chain = chainJson,
            rules = rules ?? new Dictionary<string, string>
            {
                ["../rules/firewall.rules"] = File.ReadAllText(Path.Combine(Samples, "rules", "firewall.rules")),
                ["../rules/ids.rules"] = File.ReadAllText(Path.Combine(Samples, "rules", "ids.rules")),
            },
        }));

    private static string SampleChain => File.ReadAllText(Path.Combine(Samples, "chains", "full.json"));

    [Fact]
    public void ParseRules_SampleChainAndRules_Accepted()
    {
        var refused = ControlRequests.ParseRules(Request(SampleChain), Running, out var text, out _);

        Assert.Null(refused);
        Assert.Equal(2, text!.RuleFiles.Count);
        Assert.Equal(SampleChain, text.ChainJson);
    }

    [Fact]
    public void ParseRules_ChainAsAnObject_Accepted()
    {
        string body = $$"""{ "chain": {{SampleChain}}, "rules": { "../rules/firewall.rules": "allow tcp from any to any port 80\n", "../rules/ids.rules": "" } }""";

        var refused = ControlRequests.ParseRules(Encoding.UTF8.GetBytes(body), Running, out var text, out _);

        Assert.Null(refused);
        Assert.Contains("\"stages\"", text!.ChainJson, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "[1, 2]", "malformed request", "body: expected an object" },
        { "{ \"rules\": {} }", "malformed request", "chain: missing" },
        { "{ \"chain\": 5 }", "malformed request", "chain: missing" },
        { "{ \"chain\": \"{}\", \"rules\": [] }", "malformed request", "rules: expected an object" },
        { "{ \"chain\": \"{}\", \"rules\": { \"a\": 1 } }", "malformed request", "rules.a: expected" },
        { "{ \"chain\": \"{\\\"name\\\": \\\"full\\\", \\\"stages\\\": [ { \\\"name\\\": \\\"fw\\\", \\\"type\\\": \\\"firewall\\\", \\\"rules\\\": \\\"x.rules\\\" } ] }\" }", "missing rule file", "'x.rules'" },
        { "{\"chain\": ", "malformed JSON", "body:" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void ParseRules_MalformedRequest_BadRequestNamingThePart(string body, string error, string detailPart)
    {
        var refused = ControlRequests.ParseRules(Encoding.UTF8.GetBytes(body), Running, out var text, out _);

        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(error, refused.Error);
        Assert.Contains(detailPart, refused.Detail, StringComparison.Ordinal);
        Assert.Null(text);
    }

    [Fact]
    public void ParseRules_AnotherChainName_Refused()
    {
        var refused = ControlRequests.ParseRules(Request(SampleChain.Replace("\"name\": \"full\"", "\"name\": \"other\"", StringComparison.Ordinal)), Running, out _, out _);

        Assert.Equal("chain mismatch", refused!.Error);
        Assert.Contains("'other' is not the running chain 'full'", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseRules_FewerStages_RefusedAsANewDeployment()
    {
        string counterOnly = """{ "name": "full", "stages": [ { "name": "counter", "type": "counter" } ] }""";

        var refused = ControlRequests.ParseRules(Request(counterOnly, []), Running, out _, out _);

        Assert.Equal("chain mismatch", refused!.Error);
        Assert.Contains("AZNF_CHAIN_FILE", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseRules_IdsRuleThatDoesNotParse_AcceptedWithAWarningNamingFileAndLine()
    {
        var rules = new Dictionary<string, string>
        {
            ["../rules/firewall.rules"] = "allow tcp from any to any port 80\n",
            ["../rules/ids.rules"] = "alert tcp any any -> any any (msg:\"x\"; content:\"a\"; sid:1;)\nthis is no rule\n",
        };

        var refused = ControlRequests.ParseRules(Request(SampleChain, rules), Running, out var text, out var warnings);

        Assert.Null(refused);
        Assert.NotNull(text);
        var warning = Assert.Single(warnings);
        Assert.Contains("ids.rules:2", warning.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "missing flow key")]
    [InlineData("  ", "missing flow key")]
    [InlineData("tcp 10.0.0.1:1 <-> 10.0.0.2:2\n", "malformed flow key")]
    public void CheckFlowKey_Malformed_BadRequest(string? key, string error)
    {
        var refused = ControlRequests.CheckFlowKey(key);

        Assert.Equal(HttpStatusCode.BadRequest, refused!.Status);
        Assert.Equal(error, refused.Error);
    }

    [Fact]
    public void CheckFlowKey_TooLong_BadRequest()
    {
        var refused = ControlRequests.CheckFlowKey(new string('a', ControlRequests.MaxFlowKeyLength + 1));

        Assert.Equal("malformed flow key", refused!.Error);
    }

    [Fact]
    public void CheckFlowKey_RealKey_Accepted()
    {
        Assert.Null(ControlRequests.CheckFlowKey("tcp [2001:db8::1]:443 <-> [2001:db8::2]:51234"));
    }

    [Fact]
    public void CheckChain_OtherName_NotFound()
    {
        var refused = ControlRequests.CheckChain("ids", Running);

        Assert.Equal(HttpStatusCode.NotFound, refused!.Status);
        Assert.Null(ControlRequests.CheckChain("full", Running));
    }
}
