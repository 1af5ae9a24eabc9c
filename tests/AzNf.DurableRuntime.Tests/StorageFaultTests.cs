using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Hub;
using AzNf.Packets.Capture;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// Storage that fails now and then (503s, dropped connections, replies lost after the service
/// acted, delays) under every client of the durable runtime: the run completes, its report equals
/// the embedded one, nothing is counted twice, and the retries show in the counter.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class StorageFaultTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData(ChainGranularity.Batch, ChainMode.Fused, 11)]
    [InlineData(ChainGranularity.Batch, ChainMode.Staged, 12)]
    [InlineData(ChainGranularity.Flowlet, ChainMode.Fused, 13)]
    public async Task Run_StorageFailsAShareOfRequests_SameAnswersAsTheEmbeddedRuntimeAndTheRetriesCounted(ChainGranularity granularity, ChainMode mode, int seed)
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = DurableChainRunTests.GeneratedCapture(flows: 40, seed: seed);
        var embedded = DurableChainRunTests.Embedded(chainFile, capture);
        var faults = new StorageFaultPolicy(new StorageFaults(Unavailable: 0.04, Dropped: 0.02, LostReply: 0.03, Delayed: 0.05), seed);
        using var logs = new RecentLogs();
        StorageRequestCounter? counter = null;
        using var reader = CaptureReader.Open(capture);
        var request = new DurableRunRequest
        {
            ChainFile = chainFile,
            Runtime = new DurableRuntimeOptions
            {
                StorageConnectionString = azurite.ConnectionString,
                TaskHubName = AzuriteFixture.UniqueName("faults"),
                ControlQueuePartitions = 2,
                // A message whose delete or update reply was lost comes back after this: shorter than the default, for the test's time.
                MessageVisibilityTimeout = TimeSpan.FromSeconds(10),
                StoragePolicies = [faults],
                StorageRetryDelay = TimeSpan.FromMilliseconds(50),
                StorageRetryMaxDelay = TimeSpan.FromSeconds(1),
                StorageRetries = 10,
            },
            Chain = new DurableChainOptions { Granularity = granularity, Mode = mode, FlowShards = 3 },
            Partitions = 2,
            BatchPackets = 64,
            StorageCounting = c => counter = c,
            LoggerFactory = logs,
        };

        var started = System.Diagnostics.Stopwatch.StartNew();
        DurableRunResult durable;
        try
        {
            durable = await DurableChainRun.RunAsync(request, reader);
        }
        catch
        {
            // A unit that never completed, or an entity that never showed its last update: what the
            // backend said last (how LostUpdateReplyPolicy's leak was found).
            WriteLogs(logs);
            throw;
        }
        output.WriteLine($"{started.Elapsed.TotalSeconds:F1} s; injected: {faults.Unavailable} unavailable, {faults.Dropped} dropped, {faults.LostReplies} lost replies, {faults.Delayed} delayed; {counter?.Requests} requests, {counter?.Retries} retried, {counter?.LostUpdateReplies.Answered} lost message updates answered 404");
        if (durable.Failures.Count > 0)
        {
            WriteLogs(logs);
        }

        Assert.Empty(durable.Failures);
        DurableChainRunTests.AssertSameAnswers(embedded, durable.Report);
        Assert.True(faults.Failures > 20, $"only {faults.Failures} faults injected");
        Assert.True(faults.LostReplies > 0);
        Assert.NotNull(counter);
        Assert.True(counter.Retries >= faults.Failures * 0.9, $"{counter.Retries} retries for {faults.Failures} injected failures");
    }

    /// <summary>
    /// Azurite (on disk) is killed mid-run and back 5 s later: the clients' retries and the
    /// backend's own loops ride it out, and the report still equals the embedded one.
    /// </summary>
    [Fact]
    public async Task Run_StorageDownForSecondsMidRun_CompletesWithTheEmbeddedAnswers()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = DurableChainRunTests.GeneratedCapture(flows: 60, seed: 21);
        var embedded = DurableChainRunTests.Embedded(chainFile, capture);
        await using var storage = await AzNf.Azurite.AzuriteServer.StartAsync(new AzNf.Azurite.AzuriteOptions { InMemory = false });
        StorageRequestCounter? counter = null;
        Task? outage = null;
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var reader = CaptureReader.Open(capture);
        var request = new DurableRunRequest
        {
            ChainFile = chainFile,
            Runtime = new DurableRuntimeOptions
            {
                StorageConnectionString = storage.ConnectionString,
                TaskHubName = AzuriteFixture.UniqueName("outage"),
                ControlQueuePartitions = 2,
                MessageVisibilityTimeout = TimeSpan.FromSeconds(10),
            },
            Chain = new DurableChainOptions { Granularity = ChainGranularity.Batch, FlowShards = 3 },
            Partitions = 2,
            BatchPackets = 32,
            StorageCounting = c => counter = c,
        };

        var durable = await DurableChainRun.RunAsync(request, reader, progress: _ => outage ??= storage.OutageAsync(TimeSpan.FromSeconds(5)));
        Assert.NotNull(outage);
        await outage;
        output.WriteLine($"{started.Elapsed.TotalSeconds:F1} s; {counter?.Requests} requests, {counter?.Retries} retried");

        Assert.Empty(durable.Failures);
        DurableChainRunTests.AssertSameAnswers(embedded, durable.Report);
        Assert.True(counter!.Retries > 0);
    }

    private void WriteLogs(RecentLogs logs)
    {
        foreach (string line in logs.Lines)
        {
            output.WriteLine(line);
        }
    }
}
