using System.Net;
using System.Text;
using System.Text.Json;
using AzNf.DurableRuntime;
using AzNf.Functions.Http;
using AzNf.Functions.Ingestion;
using AzNf.Functions.Settings;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Packets.Capture;
using AzNf.TestOracles;
using Microsoft.Extensions.Logging.Abstractions;

namespace AzNf.Functions.Tests;

/// <summary>
/// The control API against a real task hub: the durable runtime (DurableTask.Core and the Azure
/// Storage backend on Azurite) runs the same orchestrations and entities the Functions host would.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ControlApiTests(AzuriteFixture azurite)
{
    private static readonly string Root = OracleProcess.RepositoryRoot();
    private static readonly string SampleCapture = Path.Combine(Root, "samples", "captures", "http-loopback.pcapng");

    [Fact]
    public async Task PostPackets_SampleCaptureTwice_SameAnswersAsEmbeddedAndSecondPostIsNotADuplicate()
    {
        await using var host = await StartHostAsync("post");
        var api = Api(host, Settings());
        var embedded = Embedded();
        string flowKey = embedded.Flows[0].Key;

        var first = await api.PostPacketsAsync("full", File.OpenRead(SampleCapture), null, CancellationToken.None);
        var flowAfterFirst = await api.FlowAsync(flowKey, CancellationToken.None);
        var second = await api.PostPacketsAsync("full", File.OpenRead(SampleCapture), null, CancellationToken.None);
        var flowAfterSecond = await api.FlowAsync(flowKey, CancellationToken.None);
        var counters = await WaitForAsync(api, s => s.GetProperty("counters").GetProperty("packets").GetInt64() >= 2 * embedded.Totals.Packets);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        foreach (var report in new[] { RunReport.ReadJson(first.Json), RunReport.ReadJson(second.Json) })
        {
            Assert.Equal(embedded.Totals.Packets, report.Totals.Packets);
            Assert.Equal(embedded.Totals.Forwarded, report.Totals.Forwarded);
            Assert.Equal(embedded.Totals.DropReasons, report.Totals.DropReasons);
            Assert.Equal(embedded.Alerts.Select(a => (a.Sid, a.PacketIndex)), report.Alerts.Select(a => (a.Sid, a.PacketIndex)));
            Assert.Equal(embedded.Nfs.Select(n => (n.Name, n.PacketsIn, n.PacketsOut, n.Drops)), report.Nfs.Select(n => (n.Name, n.PacketsIn, n.PacketsOut, n.Drops)));
        }
        Assert.Equal(HttpStatusCode.OK, flowAfterFirst.Status);
        long firstVersion = Json(flowAfterFirst).GetProperty("version").GetInt64();
        long secondVersion = Json(flowAfterSecond).GetProperty("version").GetInt64();
        Assert.True(secondVersion > firstVersion, $"the second post's units were taken for redeliveries (version {firstVersion} → {secondVersion})");
        Assert.Equal(2 * embedded.Totals.Packets, counters.GetProperty("counters").GetProperty("packets").GetInt64());
        Assert.Equal(0, counters.GetProperty("counters").GetProperty("duplicates").GetInt64());
    }

    [Fact]
    public async Task Requests_BadInput_Get4xxWithAReasonAndChangeNothing()
    {
        await using var host = await StartHostAsync("refuse");
        var settings = Settings() with { MaxPostBytes = 4096 };
        var api = Api(host, settings);
        byte[] sample = File.ReadAllBytes(SampleCapture);

        var unknownChain = await api.PostPacketsAsync("nosuchchain", new MemoryStream(sample), sample.Length, CancellationToken.None);
        var declaredTooLarge = await api.PostPacketsAsync("full", new MemoryStream([]), sample.Length, CancellationToken.None);
        var undeclaredTooLarge = await api.PostPacketsAsync("full", new MemoryStream(sample), null, CancellationToken.None);
        var tooManyPackets = await Api(host, Settings() with { MaxPostPackets = 5 }).PostPacketsAsync("full", new MemoryStream(sample), sample.Length, CancellationToken.None);
        var empty = await api.PostPacketsAsync("full", new MemoryStream([]), 0, CancellationToken.None);
        var garbage = await api.PostPacketsAsync("full", new MemoryStream(Encoding.ASCII.GetBytes("this is not a capture file at all")), null, CancellationToken.None);
        var malformedRules = await api.ReplaceRulesAsync("full", new MemoryStream(Encoding.UTF8.GetBytes("{ \"chain\": ")), null, CancellationToken.None);
        var badRule = await api.ReplaceRulesAsync("full", Body(RulesRequest(firewall: "deny tcp from any to any port 23\nthis is no rule\n")), null, CancellationToken.None);
        var missingKey = await api.FlowAsync(null, CancellationToken.None);
        var unknownFlow = await api.FlowAsync("tcp 192.0.2.1:1 <-> 192.0.2.2:2", CancellationToken.None);
        var stats = await api.StatsAsync(CancellationToken.None);

        AssertRefused(unknownChain, HttpStatusCode.NotFound, "unknown chain", "nosuchchain");
        AssertRefused(declaredTooLarge, HttpStatusCode.RequestEntityTooLarge, "body too large", "AZNF_MAX_POST_BYTES");
        AssertRefused(undeclaredTooLarge, HttpStatusCode.RequestEntityTooLarge, "body too large", "4096 bytes");
        AssertRefused(tooManyPackets, HttpStatusCode.RequestEntityTooLarge, "too many packets", "more than 5 packets");
        AssertRefused(empty, HttpStatusCode.BadRequest, "empty body", "pcap");
        AssertRefused(garbage, HttpStatusCode.BadRequest, "unusable capture", "posted capture");
        AssertRefused(malformedRules, HttpStatusCode.BadRequest, "malformed JSON", "body:");
        AssertRefused(badRule, HttpStatusCode.BadRequest, "invalid chain or rules", "firewall.rules:2");
        AssertRefused(missingKey, HttpStatusCode.BadRequest, "missing flow key", "key");
        AssertRefused(unknownFlow, HttpStatusCode.NotFound, "unknown flow", "192.0.2.1");
        Assert.Equal(HttpStatusCode.OK, stats.Status);
        Assert.Equal(JsonValueKind.Null, Json(stats).GetProperty("counters").ValueKind);
        Assert.Equal(1, Json(stats).GetProperty("rulesVersion").GetInt64());
    }

    [Fact]
    public async Task StartStopAndRules_ThroughTheApi_ReachTheEntitiesTheInstancesRead()
    {
        await using var host = await StartHostAsync("control");
        var api = Api(host, Settings());

        var start = await api.StartAsync("full", CancellationToken.None);
        var running = await WaitForAsync(api, s => s.GetProperty("running").GetBoolean());
        var rules = await api.ReplaceRulesAsync("full", Body(RulesRequest(firewall: "deny tcp from any to any port 9\n")), null, CancellationToken.None);
        var stop = await api.StopAsync("full", CancellationToken.None);
        var stopped = await WaitForAsync(api, s => !s.GetProperty("running").GetBoolean());

        Assert.Equal(HttpStatusCode.Accepted, start.Status);
        Assert.Equal(1, Json(start).GetProperty("rulesVersion").GetInt64());
        Assert.Equal(1, running.GetProperty("switchVersion").GetInt64());
        Assert.Equal(HttpStatusCode.OK, rules.Status);
        Assert.Equal(2, Json(rules).GetProperty("rulesVersion").GetInt64());
        Assert.Equal(HttpStatusCode.Accepted, stop.Status);
        Assert.Equal(2, stopped.GetProperty("switchVersion").GetInt64());
        Assert.Equal(2, stopped.GetProperty("rulesVersion").GetInt64());
    }

    private async Task<DurableRuntimeHost> StartHostAsync(string purpose) =>
        await DurableChainRun.StartHostAsync(new DurableRuntimeOptions
        {
            StorageConnectionString = azurite.ConnectionString,
            TaskHubName = AzuriteFixture.UniqueName(purpose),
            ControlQueuePartitions = 2,
        });

    private static FunctionsSettings Settings() => TestSettings.Load(TestSettings.Local());

    private static ControlApi Api(DurableRuntimeHost host, FunctionsSettings settings) =>
        new(settings, host, () => new IngestionStatus(false, false, "durable", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), NullLogger<ControlApi>.Instance);

    private static RunReport Embedded()
    {
        var chain = ChainDefinition.Load(Path.Combine(Root, "samples", "chains", "full.json"));
        using var capture = CaptureReader.Open(SampleCapture);
        var result = ChainEngine.Run(chain, capture, new EngineOptions { Partitions = 2 });
        return RunReport.From(result, capture.Name, capture.Warnings.Counts);
    }

    /// <summary>The sample chain with the sample IDS rules and the given firewall rules, as the rules endpoint takes it.</summary>
    private static string RulesRequest(string firewall) => JsonSerializer.Serialize(new
    {
        chain = File.ReadAllText(Path.Combine(Root, "samples", "chains", "full.json")),
        rules = new Dictionary<string, string>
        {
            ["../rules/firewall.rules"] = firewall,
            ["../rules/ids.rules"] = File.ReadAllText(Path.Combine(Root, "samples", "rules", "ids.rules")),
        },
    });

    private static MemoryStream Body(string json) => new(Encoding.UTF8.GetBytes(json));

    private static JsonElement Json(ApiResponse response)
    {
        using var document = JsonDocument.Parse(response.Json);
        return document.RootElement.Clone();
    }

    private static void AssertRefused(ApiResponse response, HttpStatusCode status, string error, string detailPart)
    {
        Assert.Equal(status, response.Status);
        var body = Json(response);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Contains(detailPart, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // Signals to entities land shortly after the call that sent them; the last stats read is
    // returned either way, so the caller's assertions say what was missing.
    private static async Task<JsonElement> WaitForAsync(ControlApi api, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var stats = Json(await api.StatsAsync(CancellationToken.None));
            if (Holds(condition, stats) || DateTime.UtcNow > deadline)
            {
                return stats;
            }
            await Task.Delay(200);
        }
    }

    // Before the first unit the counters entity has no state: reading into it fails, which is "not yet".
    private static bool Holds(Func<JsonElement, bool> condition, JsonElement stats)
    {
        try
        {
            return condition(stats);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
