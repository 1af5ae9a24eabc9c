using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Capture;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class RuleUpdateTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task HandleAsync_RulesReplacedBetweenBatches_LaterBatchUsesNewRulesWithoutRestart()
    {
        string folder = OracleProcess.TempDirectory("rule-update");
        string rules = Path.Combine(folder, "ids.rules");
        string chainFile = Path.Combine(folder, "ids.json");
        File.WriteAllText(rules, "alert tcp any any -> any any (msg:\"never\"; content:\"no-such-bytes-anywhere\"; sid:1; rev:1;)\n");
        File.WriteAllText(chainFile, """{ "name": "update", "stages": [ { "name": "ids", "type": "ids", "rules": "ids.rules" } ] }""");
        var (first, second) = SampleInTwoBatches();
        await using var host = await DurableChainRun.StartHostAsync(new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("rules"), ControlQueuePartitions = 2 });
        await TaskHubChains.PublishRulesAsync(host, "update", RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        var handler = new DurableChainHandler(host, ChainDefinition.Load(chainFile), new DurableChainOptions { PolicyRefresh = TimeSpan.FromMilliseconds(1) });
        await handler.OpenPartitionAsync(0, CancellationToken.None);

        await handler.HandleAsync(first, CancellationToken.None);
        int alertsBefore = (await handler.ReadTalliesAsync(CancellationToken.None)).Sum(t => t.Alerts.Count);
        File.Copy(Path.Combine(OracleProcess.RepositoryRoot(), "samples", "rules", "ids.rules"), rules, overwrite: true);
        long version = await TaskHubChains.PublishRulesAsync(host, "update", RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        await handler.HandleAsync(second, CancellationToken.None);
        var alerts = (await handler.ReadTalliesAsync(CancellationToken.None)).SelectMany(t => t.Alerts).ToList();

        Assert.Empty(handler.Failures);
        Assert.Equal(0, alertsBefore);
        Assert.Equal(2, version);
        Assert.NotEmpty(alerts);
        Assert.All(alerts, a => Assert.True(a.Sid >= 1000001, $"sid {a.Sid} is not one of the new rules"));
    }

    private static (PartitionBatch First, PartitionBatch Second) SampleInTwoBatches()
    {
        using var capture = CaptureReader.Open(Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng"));
        var first = new PartitionBatch(1024) { Partition = 0 };
        var second = new PartitionBatch(1024) { Partition = 0 };
        long index = 0;
        while (capture.TryRead(out var record))
        {
            index++;
            (index <= 50 ? first : second).Add(index, 0, record.LinkType, record.Data, record.OriginalLength, record.TimestampNanos);
        }
        return (first, second);
    }
}
