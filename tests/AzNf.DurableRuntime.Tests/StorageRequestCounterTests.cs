using AzNf.Azurite;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Capture;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// The request counter against the judge: a private Azurite with its debug log, which writes one
/// line per request it serves, queue polls and lease renewals included.
/// </summary>
public sealed class StorageRequestCounterTests
{
    [Fact]
    public async Task Counter_WholeDurableRun_AgreesWithAzuritesRequestLogWithin5Percent()
    {
        string log = Path.Combine(OracleProcess.TempDirectory("azurite-debug"), "debug.log");
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = DurableChainRunTests.GeneratedCapture(flows: 20, seed: 9);
        var chain = ChainDefinition.Load(chainFile);
        StorageRequestCount counted;
        await using (var azurite = await AzuriteServer.StartAsync(new AzuriteOptions { DebugLog = log }))
        {
            var host = await DurableChainRun.StartHostAsync(new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("count") });
            await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
            var handler = new DurableChainHandler(host, chain, new DurableChainOptions { Granularity = ChainGranularity.Batch });
            using (var reader = CaptureReader.Open(capture))
            {
                await Task.Run(() => new LocalPartitionedLog(2, 200).Feed(reader, handler));
            }
            await TaskHubChains.ReportAsync(host, chain, handler, 2, capture, TimeSpan.FromMinutes(1), CancellationToken.None);
            await host.DisposeAsync();
            counted = host.StorageRequests.Snapshot();
        }

        long served = File.ReadLines(log).Count(line => line.Contains("StorageContextMiddleware: RequestMethod=", StringComparison.Ordinal));
        long servedBlob = File.ReadLines(log).Count(line => line.Contains("BlobStorageContextMiddleware: RequestMethod=", StringComparison.Ordinal));
        long servedQueue = File.ReadLines(log).Count(line => line.Contains("QueueStorageContextMiddleware: RequestMethod=", StringComparison.Ordinal));

        Assert.True(served > 100, $"Azurite served only {served} requests: is its debug log the one expected?");
        Assert.InRange(counted.Requests, served * 0.95, served * 1.05);
        Assert.InRange(counted.Blob, servedBlob * 0.95, servedBlob * 1.05);
        Assert.InRange(counted.Queue, servedQueue * 0.95, servedQueue * 1.05);
        Assert.True(counted.BytesSent > new FileInfo(capture).Length / 2, $"{counted.BytesSent} bytes sent for a {new FileInfo(capture).Length}-byte capture: the claim-checked packets were not counted");
    }
}
