using System.Text.Json;
using AzNf.Orchestrations;
using AzNf.Orchestrations.Entities;

namespace AzNf.Functions.Tests;

/// <summary>
/// Reads the functions.metadata the Worker SDK generated for the app and checks every function's
/// name, trigger and bindings: the host routes by these, so a renamed function, a lost binding or
/// a changed route must fail here, not in Azure.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static readonly Lazy<Dictionary<string, JsonElement>> Functions = new(() =>
    {
        string path = FunctionsOutput.File("functions.metadata");
        Assert.True(File.Exists(path), $"the Functions build wrote no {path}");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone(), StringComparer.Ordinal);
    });

    public static TheoryData<string, string, string, string> HttpFunctions => new()
    {
        { "ChainStart", "post", "chains/{chain}/start", "Function" },
        { "ChainStop", "post", "chains/{chain}/stop", "Function" },
        { "ChainRules", "put", "chains/{chain}/rules", "Function" },
        { "FlowState", "get", "flows", "Function" },
        { "Stats", "get", "stats", "Function" },
        { "PacketPost", "post", "chains/{chain}/packets", "Function" },
    };

    [Fact]
    public void Metadata_EveryFunction_IsExpectedAndNoneIsMissing()
    {
        var expected = HttpFunctions.Select(row => (string)row[0])
            .Concat(NfTasks.Orchestrators.Concat(NfTasks.Activities).Concat(NfTasks.Entities).Select(t => t.Name))
            .Append("FlowSweep")
            .Order(StringComparer.Ordinal);

        var actual = Functions.Value.Keys.Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(HttpFunctions))]
    public void Metadata_HttpFunction_HasKeyAuthRouteMethodClientAndResponse(string name, string method, string route, string authLevel)
    {
        var bindings = Bindings(name);

        var trigger = Assert.Single(bindings, b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("In", trigger.GetProperty("direction").GetString());
        Assert.Equal(authLevel, trigger.GetProperty("authLevel").GetString());
        Assert.Equal(route, trigger.GetProperty("route").GetString());
        Assert.Equal([method], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));
        Assert.Single(bindings, b => b.GetProperty("type").GetString() == "durableClient" && b.GetProperty("direction").GetString() == "In");
        Assert.Single(bindings, b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "Out");
        Assert.Equal(3, bindings.Count);
    }

    [Fact]
    public void Metadata_Orchestrators_HaveOnlyAnOrchestrationTrigger()
    {
        foreach (var task in NfTasks.Orchestrators)
        {
            var binding = Assert.Single(Bindings(task.Name));

            Assert.Equal("orchestrationTrigger", binding.GetProperty("type").GetString());
        }
    }

    [Fact]
    public void Metadata_Activities_HaveAnActivityTriggerAndADurableClient()
    {
        foreach (var task in NfTasks.Activities)
        {
            var types = Bindings(task.Name).Select(b => b.GetProperty("type").GetString()).Order(StringComparer.Ordinal);

            Assert.Equal(["activityTrigger", "durableClient"], types);
        }
    }

    [Fact]
    public void Metadata_Entities_HaveOnlyAnEntityTriggerUnderTheRegisteredName()
    {
        foreach (var task in NfTasks.Entities.Where(t => t.Name != FlowShardEntity.Name))
        {
            var binding = Assert.Single(Bindings(task.Name));

            Assert.Equal("entityTrigger", binding.GetProperty("type").GetString());
            Assert.Equal(task.Name, task.Name.ToLowerInvariant());
        }
    }

    [Fact]
    public void Metadata_FlowShardEntity_HasAnEntityTriggerAndADurableClient()
    {
        // The flows entity runs NF steps, and its chain source reads rule sets through the durable client.
        var types = Bindings(FlowShardEntity.Name).Select(b => b.GetProperty("type").GetString()).Order(StringComparer.Ordinal);

        Assert.Equal(["durableClient", "entityTrigger"], types);
    }

    [Fact]
    public void Metadata_FlowSweep_IsATimerTriggerWithADurableClient()
    {
        var bindings = Bindings("FlowSweep");

        var timer = Assert.Single(bindings, b => b.GetProperty("type").GetString() == "timerTrigger");
        Assert.Equal("0 */5 * * * *", timer.GetProperty("schedule").GetString());
        Assert.Single(bindings, b => b.GetProperty("type").GetString() == "durableClient");
    }

    [Fact]
    public void Metadata_EveryFunction_RunsFromTheAppAssemblyInTheIsolatedWorker()
    {
        foreach (var (name, function) in Functions.Value)
        {
            Assert.Equal("AzNf.Functions.dll", function.GetProperty("scriptFile").GetString());
            Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
            Assert.StartsWith("AzNf.Functions.", function.GetProperty("entryPoint").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Build_GeneratedExtensionsProject_RegistersTheDurableExtensionWithTheHost()
    {
        string extensions = File.ReadAllText(FunctionsOutput.File("extensions.json"));

        Assert.Contains("Microsoft.Azure.WebJobs.Extensions.DurableTask.DurableTaskWebJobsStartup", extensions, StringComparison.Ordinal);
        Assert.True(File.Exists(FunctionsOutput.File(Path.Combine(".azurefunctions", "Microsoft.Azure.WebJobs.Extensions.DurableTask.dll"))), "the generated extensions project did not build the durable extension");
    }

    private static List<JsonElement> Bindings(string name)
    {
        Assert.True(Functions.Value.TryGetValue(name, out var function), $"no function '{name}' in functions.metadata");
        return [.. function.GetProperty("bindings").EnumerateArray()];
    }
}
