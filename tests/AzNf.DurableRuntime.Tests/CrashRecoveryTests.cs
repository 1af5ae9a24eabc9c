using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class CrashRecoveryTests(AzuriteFixture azurite)
{
    /// <remarks>
    /// The second worker feeds the capture again from its start (this log keeps no checkpoints), so
    /// the results of batches the first worker finished must still be in the hub: consumed batches
    /// are not purged here. With a checkpoint store, the feed resumes after the checkpoint and the
    /// purge is safe (DurableChainOptions.PurgeConsumedBatches).
    /// </remarks>
    [Theory]
    [InlineData(ChainGranularity.Flowlet)]
    [InlineData(ChainGranularity.Batch)]
    public async Task Run_WorkerStoppedWithoutDrainingMidBatch_NewWorkerFinishesAndCountsEveryFlowOnce(ChainGranularity granularity)
    {
        var chainOptions = new DurableChainOptions { Granularity = granularity, PurgeConsumedBatches = false };
        string capture = WriteCapture(flows: 40);
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        var chain = ChainDefinition.Load(chainFile);
        var expected = DurableChainRunTests.Embedded(chainFile, capture);
        var options = new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("crash"), ControlQueuePartitions = 2 };

        var first = await DurableChainRun.StartHostAsync(options);
        await TaskHubChains.PublishRulesAsync(first, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        using var crash = new CancellationTokenSource();
        var crashing = new CrashDuringBatch(new DurableChainHandler(first, chain, chainOptions), crashAtBatch: 6, first, crash);
        using (var reader = CaptureReader.Open(capture))
        {
            Assert.ThrowsAny<Exception>(() => new LocalPartitionedLog(2, 8).Feed(reader, crashing, cancellation: crash.Token));
        }
        await first.DisposeAsync();
        long appliedBeforeCrash = crashing.HandledPackets;

        await using var second = await DurableChainRun.StartHostAsync(options with { WorkerId = "after-crash" });
        var handler = new DurableChainHandler(second, chain, chainOptions);
        long frames;
        using (var reader = CaptureReader.Open(capture))
        {
            frames = await Task.Run(() => new LocalPartitionedLog(2, 8).Feed(reader, handler));
        }
        var report = await TaskHubChains.ReportAsync(second, chain, handler, 2, capture, TimeSpan.FromMinutes(2), CancellationToken.None);

        Assert.InRange(appliedBeforeCrash, 1, frames - 1);
        Assert.True(handler.Duplicates + handler.Timings.Count > 0);
        Assert.Equal(granularity, handler.Granularity);
        Assert.Empty(handler.Failures);
        Assert.Equal(expected.Flows, report.Flows);
        Assert.Equal(expected.Alerts, report.Alerts);
        Assert.Equal(expected.Totals.Packets, report.Totals.Packets);
        Assert.Equal(expected.Totals.Dropped, report.Totals.Dropped);
    }

    private static string WriteCapture(int flows)
    {
        string path = Path.Combine(OracleProcess.TempDirectory("crash"), "traffic.pcap");
        using var stream = File.Create(path);
        using var writer = new PcapWriter(stream, LinkType.Ethernet, nanosecondTimestamps: true);
        foreach (var frame in SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = flows, Seed = 11 }))
        {
            writer.Write(frame.TimestampNanos, frame.Data);
        }
        return path;
    }

    /// <summary>
    /// Passes batches on, and on the given one stops the worker without draining while that
    /// batch's units are in flight — what a crashed host leaves behind — then fails the feed.
    /// </summary>
    /// <remarks>The other partition's thread goes down with it (the cancellation), as in a real crash, instead of waiting for units no worker will run.</remarks>
    private sealed class CrashDuringBatch(IPartitionBatchHandler inner, int crashAtBatch, DurableRuntimeHost host, CancellationTokenSource crash) : IPartitionBatchHandler
    {
        private int _batches;
        private long _handled;

        public long HandledPackets => Interlocked.Read(ref _handled);

        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => inner.OpenPartitionAsync(partition, cancellation);

        public async ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
        {
            if (Interlocked.Increment(ref _batches) == crashAtBatch)
            {
                var pending = inner.HandleAsync(batch, cancellation).AsTask();
                await Task.Delay(150, cancellation);
                await host.StopAsync(drain: false);
                await crash.CancelAsync();
                throw new InvalidOperationException("simulated crash in the middle of a batch");
            }
            await inner.HandleAsync(batch, cancellation);
            Interlocked.Add(ref _handled, batch.Count);
        }

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => inner.ClosePartitionAsync(partition, reason, cancellation);
    }
}
