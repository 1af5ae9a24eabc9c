using System.Diagnostics;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Capture;
using AzNf.TestOracles;
using Azure.Data.Tables;
using Xunit.Abstractions;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// No toy: the NF work of one task hub done by two worker processes (<c>aznf worker</c>), fed by a
/// partition owner in this process that runs no worker of its own, so every shard step ran in one
/// of the two, reading its packets and flows through storage.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class TwoWorkerProcessesTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    /// <summary>The workers' stderr (the Durable Task runtime's warnings and errors), shown with a failed test.</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _workerLog = new();

    [Fact]
    public async Task Run_TwoWorkerProcessesShareTheHub_BothRanShardStepsAndTheReportEqualsTheEmbeddedOne()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = DurableChainRunTests.GeneratedCapture(flows: 80, seed: 13);
        var chain = ChainDefinition.Load(chainFile);
        var expected = DurableChainRunTests.Embedded(chainFile, capture);
        var options = new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("two"), ControlQueuePartitions = 2 };
        // A client-only host creates the hub; the workers then join it.
        await using var owner = await DurableChainRun.StartHostAsync(options with { WorkerId = "partition-owner" }, runWorker: false);

        var workers = new[] { StartWorker(options), StartWorker(options) };
        try
        {
            await WaitForTwoOwnersAsync(options, TimeSpan.FromMinutes(2));
            await TaskHubChains.PublishRulesAsync(owner, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
            var handler = new DurableChainHandler(owner, chain, new DurableChainOptions { Granularity = ChainGranularity.Batch, FlowShards = 8, CompletionPoll = TimeSpan.FromMilliseconds(200) });
            using (var reader = CaptureReader.Open(capture))
            {
                await Task.Run(() => new LocalPartitionedLog(2, 100).Feed(reader, handler));
            }
            var report = await TaskHubChains.ReportAsync(owner, chain, handler, 2, capture, TimeSpan.FromMinutes(1), CancellationToken.None);

            Assert.Empty(handler.Failures);
            var ran = handler.Batches.Workers.Keys.Order().ToList();
            Assert.Equal(workers.Select(w => $"{Environment.MachineName}-{w.Id}").Order(), ran);
            Assert.Equal(expected.Flows, report.Flows);
            Assert.Equal(expected.Alerts, report.Alerts);
            Assert.Equal(expected.Totals.Packets, report.Totals.Packets);
            Assert.Equal(expected.Totals.Dropped, report.Totals.Dropped);
            Assert.Equal(expected.Totals.DropReasons, report.Totals.DropReasons);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
                worker.Dispose();
            }
            ShowWorkerLog();
        }
    }

    /// <summary>
    /// A real crash: the only worker process is killed with SIGKILL while a batch's shard steps are
    /// in flight, and a new worker process takes the hub over (after the dead one's leases and
    /// message visibility run out). The partition owner keeps feeding; every flow counts once, and
    /// every batch's result counts its packets once.
    /// </summary>
    [Fact]
    public async Task Run_WorkerKilledMidBatch_NewWorkerFinishesAndEveryFlowCountsOnce()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = DurableChainRunTests.GeneratedCapture(flows: 60, seed: 17);
        var chain = ChainDefinition.Load(chainFile);
        var expected = DurableChainRunTests.Embedded(chainFile, capture);
        var options = new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("kill"), ControlQueuePartitions = 2 };
        await using var owner = await DurableChainRun.StartHostAsync(options with { WorkerId = "partition-owner" }, runWorker: false);
        var first = StartWorker(options);
        Process? second = null;
        try
        {
            await TaskHubChains.PublishRulesAsync(owner, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
            var handler = new DurableChainHandler(owner, chain, new DurableChainOptions { Granularity = ChainGranularity.Batch, CompletionPoll = TimeSpan.FromMilliseconds(200) });
            var killing = new KillWorkerDuringBatch(handler, killAtBatch: 4, first, () => second = StartWorker(options));
            using (var reader = CaptureReader.Open(capture))
            {
                await Task.Run(() => new LocalPartitionedLog(2, 60).Feed(reader, killing));
            }
            var report = await TaskHubChains.ReportAsync(owner, chain, handler, 2, capture, TimeSpan.FromMinutes(2), CancellationToken.None);

            Assert.True(first.HasExited);
            Assert.Equal(137, first.ExitCode);
            Assert.Empty(handler.Failures);
            Assert.Contains($"{Environment.MachineName}-{second!.Id}", handler.Batches.Workers.Keys);
            Assert.Equal(expected.Flows, report.Flows);
            Assert.Equal(expected.Alerts, report.Alerts);
            Assert.Equal(expected.Totals.Packets, report.Totals.Packets);
            Assert.Equal(expected.Totals.Dropped, report.Totals.Dropped);
        }
        finally
        {
            foreach (var worker in new[] { first, second })
            {
                if (worker is not null)
                {
                    worker.Kill(entireProcessTree: true);
                    await worker.WaitForExitAsync();
                    worker.Dispose();
                }
            }
            ShowWorkerLog();
        }
    }

    /// <summary>Passes batches on; on the given one, SIGKILLs the worker shortly after the batch started and starts a new one.</summary>
    private sealed class KillWorkerDuringBatch(IPartitionBatchHandler inner, int killAtBatch, Process victim, Action startNext) : IPartitionBatchHandler
    {
        private int _batches;

        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => inner.OpenPartitionAsync(partition, cancellation);

        public async ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
        {
            if (Interlocked.Increment(ref _batches) != killAtBatch)
            {
                await inner.HandleAsync(batch, cancellation);
                return;
            }
            var handling = inner.HandleAsync(batch, cancellation).AsTask();
            await Task.Delay(150, cancellation);
            victim.Kill();
            await victim.WaitForExitAsync(cancellation);
            startNext();
            await handling;
        }

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => inner.ClosePartitionAsync(partition, reason, cancellation);
    }

    /// <summary><c>aznf worker</c> from this build, on the fixture's Azurite; its stderr lines go to the test's output.</summary>
    private Process StartWorker(DurableRuntimeOptions options)
    {
        int? id = null;
        var process = AznfProcess.Start(
            options.StorageConnectionString,
            ["worker", "--task-hub", options.TaskHubName, "--control-queues", options.ControlQueuePartitions.ToString(System.Globalization.CultureInfo.InvariantCulture), "--poll-ms", "100"],
            line => _workerLog.Enqueue($"worker {id}: {line}"));
        id = process.Id;
        return process;
    }

    /// <summary>Writes what the workers logged to the test's output (xunit shows it when the test fails).</summary>
    private void ShowWorkerLog()
    {
        while (_workerLog.TryDequeue(out string? line))
        {
            output.WriteLine(line);
        }
    }

    /// <summary>Waits until the hub's partitions are owned by two different workers (lease balancing takes a few acquire intervals).</summary>
    private static async Task WaitForTwoOwnersAsync(DurableRuntimeOptions options, TimeSpan timeout)
    {
        var table = new TableClient(options.StorageConnectionString, options.TaskHubName + "Partitions");
        var deadline = DateTime.UtcNow + timeout;
        var owners = new HashSet<string>();
        while (DateTime.UtcNow < deadline)
        {
            owners.Clear();
            try
            {
                await foreach (var lease in table.QueryAsync<TableEntity>())
                {
                    if (lease.GetString("CurrentOwner") is { Length: > 0 } current && lease.GetString("NextOwner") is null or "")
                    {
                        owners.Add(current);
                    }
                }
            }
            catch (Azure.RequestFailedException e) when (e.Status == 404)
            {
                // The first worker has not created the table yet.
            }
            if (owners.Count == 2)
            {
                return;
            }
            await Task.Delay(500);
        }
        Assert.Fail($"the two workers did not share the hub's partitions within {timeout}: owners {string.Join(", ", owners)}");
    }
}
