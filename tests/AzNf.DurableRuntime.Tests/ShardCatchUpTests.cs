using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// A shard step waits until its shard has stored the batch its sender last saw it finish: the case
/// of a worker that died after a shard's reply left and before its state was stored, made
/// deterministic by starting a partition's second batch before its first.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ShardCatchUpTests(AzuriteFixture azurite)
{
    private const int Shards = 4;

    [Fact]
    public async Task NfBatch_StartedBeforeTheBatchItComesAfter_WaitsThenRunsOnTopOfIt_NoPacketADuplicate()
    {
        var (chain, chainFile) = FullChain();
        string capture = DurableChainRunTests.GeneratedCapture(flows: 12, seed: 5);
        await using var host = await StartHostAsync("catchup", controlQueues: 2);
        long rules = await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        var (firstBatch, secondBatch) = Halves(capture);
        var first = await UploadAsync(host, chain, rules, firstBatch, after: null);
        var second = await UploadAsync(host, chain, rules, secondBatch, after: first);

        await host.StartOrchestrationAsync(NfBatchOrchestrator.Name, "second", second, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await host.StartOrchestrationAsync(NfBatchOrchestrator.Name, "first", first, CancellationToken.None);
        var firstOutcome = await host.WaitForOutcomeAsync<ChainBatchResult>("first", TimeSpan.FromMilliseconds(200), Timeout());
        var secondOutcome = await host.WaitForOutcomeAsync<ChainBatchResult>("second", TimeSpan.FromMilliseconds(200), Timeout());

        Assert.True(firstOutcome.Completed, firstOutcome.Failure);
        Assert.True(secondOutcome.Completed, secondOutcome.Failure);
        Assert.Equal((firstBatch.Count, 0L), (firstOutcome.Output!.Packets, firstOutcome.Output.Duplicates));
        Assert.Equal((secondBatch.Count, 0L), (secondOutcome.Output!.Packets, secondOutcome.Output.Duplicates));
        Assert.Equal(second.Slices.Select(s => s.Shard).Order(), secondOutcome.Output.ShardsCompleted.Order());
    }

    [Fact]
    public async Task NfBatch_ShardNeverStoresTheBatchBefore_FailsAfterTheCatchUpTimeNamingTheShard()
    {
        var (chain, chainFile) = FullChain();
        string capture = DurableChainRunTests.GeneratedCapture(flows: 6, seed: 6);
        await using var host = await StartHostAsync("catchupfail", controlQueues: 1);
        long rules = await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        var (firstBatch, secondBatch) = Halves(capture);
        var never = await UploadAsync(host, chain, rules, firstBatch, after: null);
        var waiting = await UploadAsync(host, chain, rules, secondBatch, after: never) with { CatchUpMs = 3_000 };

        await host.StartOrchestrationAsync(NfBatchOrchestrator.Name, "waiting", waiting, CancellationToken.None);
        var outcome = await host.WaitForOutcomeAsync<ChainBatchResult>("waiting", TimeSpan.FromMilliseconds(200), Timeout());

        Assert.False(outcome.Completed);
        Assert.Contains("flow shard", outcome.Failure, StringComparison.Ordinal);
        Assert.Contains($"has not stored batch {never.LastSequenceNumber} of partition 0", outcome.Failure, StringComparison.Ordinal);
    }

    /// <summary>
    /// A new process (or a new owner of the partition) knows nothing of the batches before it: it
    /// reads them from the task hub, so its first batch still comes after what the shards were
    /// seen to finish, and a shard whose state the dead owner's worker never stored makes it wait.
    /// </summary>
    [Fact]
    public async Task Handler_NewOwnerOfAPartition_ItsFirstBatchComesAfterTheBatchesThePreviousOwnerSawTheShardsFinish()
    {
        var (chain, chainFile) = FullChain();
        string capture = DurableChainRunTests.GeneratedCapture(flows: 16, seed: 7);
        await using var host = await StartHostAsync("newowner", controlQueues: 2);
        await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        var (firstBatch, secondBatch) = Halves(capture);
        var chainOptions = new DurableChainOptions { Granularity = ChainGranularity.Batch, FlowShards = Shards, CompletionPoll = TimeSpan.FromMilliseconds(200) };

        var previousOwner = new DurableChainHandler(host, chain, chainOptions);
        await previousOwner.HandleAsync(firstBatch, Timeout());
        var finished = previousOwner.ExpectedShardBatches.ToDictionary(e => e.Key.Shard, e => e.Value);
        var newOwner = new DurableChainHandler(host, chain, chainOptions);
        await newOwner.HandleAsync(secondBatch, Timeout());

        var last = secondBatch.Packets[^1];
        var first = secondBatch.Packets[0];
        var state = await host.Client.GetOrchestrationStateAsync(DurableChainHandler.BatchInstanceId(chain.Name, 0, first.SequenceNumber, first.PositionInEvent, last.SequenceNumber));
        Assert.NotNull(state);
        var input = Microsoft.DurableTask.Converters.JsonDataConverter.Default.Deserialize<ChainBatch>(state.Input)!;
        var expected = input.Slices.Where(s => finished.ContainsKey(s.Shard)).ToDictionary(s => s.Shard, s => finished[s.Shard]);
        Assert.NotEmpty(expected);
        Assert.All(expected.Values, v => Assert.Equal(firstBatch.Packets[^1].SequenceNumber, v));
        Assert.Equal(expected.OrderBy(e => e.Key), input.PreviousBatches.OrderBy(e => e.Key));
        Assert.Empty(newOwner.Failures);
    }

    /// <summary>
    /// A worker killed between a shard's reply and its commit: the batch completes (the reply got
    /// there) while the shard never stored it, and the step reaches the shard again only after the
    /// visibility timeout, when the partition's next batch has started — and purged what it had
    /// consumed. The batch's blob must still be there then: the redelivered step applies every
    /// packet once, the next batch goes on after it, the shards end as in a run nobody killed, and
    /// both batches are purged once the shards show them stored.
    /// </summary>
    [Fact]
    public async Task Handler_BatchCompletedBeforeItsShardsStoredIt_KeepsItsBlobUntilTheyDo()
    {
        var (chain, chainFile) = FullChain();
        string capture = DurableChainRunTests.GeneratedCapture(flows: 16, seed: 9);
        var (firstBatch, secondBatch) = Halves(capture);
        var chainOptions = new DurableChainOptions { Granularity = ChainGranularity.Batch, FlowShards = Shards, CompletionPoll = TimeSpan.FromMilliseconds(200) };

        await using var control = await StartHostAsync("unstoredcontrol", controlQueues: 2);
        await TaskHubChains.PublishRulesAsync(control, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        var undisturbed = new DurableChainHandler(control, chain, chainOptions);
        await undisturbed.HandleAsync(firstBatch, Timeout());
        await undisturbed.HandleAsync(secondBatch, Timeout());
        await undisturbed.ClosePartitionAsync(0, PartitionCloseReason.EndOfInput, Timeout());

        await using var host = await StartHostAsync("unstored", controlQueues: 2);
        await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        var hub = new ReplyBeforeCommitHub(host, NfBatchOrchestrator.Name, input =>
        {
            var batch = (ChainBatch)input;
            return new ChainBatchResult
            {
                ChainName = batch.ChainName,
                Partition = batch.Partition,
                LastSequenceNumber = batch.LastSequenceNumber,
                Packets = batch.Slices.Sum(s => s.Packets),
                ShardsCompleted = [.. batch.Slices.Select(s => s.Shard)],
            };
        });
        var handler = new DurableChainHandler(hub, chain, chainOptions);
        await handler.HandleAsync(firstBatch, Timeout());
        var second = handler.HandleAsync(secondBatch, Timeout()).AsTask();
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(second.IsCompleted);
        // The redelivered steps of the first batch, as the backend hands them to a new worker.
        await host.StartOrchestrationAsync(NfBatchOrchestrator.Name, hub.HeldInstanceId!, hub.HeldInput!, CancellationToken.None);
        var redelivered = await host.WaitForOutcomeAsync<ChainBatchResult>(hub.HeldInstanceId!, TimeSpan.FromMilliseconds(200), Timeout());
        await second;
        await handler.ClosePartitionAsync(0, PartitionCloseReason.EndOfInput, Timeout());

        Assert.True(redelivered.Completed, redelivered.Failure);
        Assert.Equal((firstBatch.Count, 0L), (redelivered.Output!.Packets, redelivered.Output.Duplicates));
        Assert.Empty(handler.Failures);
        Assert.Equal(await StoredFlowsAsync(control, chain), await StoredFlowsAsync(host, chain));
        Assert.Equal((2L, 2L), (undisturbed.Batches.Purged, handler.Batches.Purged));
    }

    /// <summary>Every flow (tombstones too) the chain's shards store: its version and NF snapshot.</summary>
    internal static async Task<SortedDictionary<string, string>> StoredFlowsAsync(DurableRuntimeHost host, ChainDefinition chain)
    {
        var flows = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var (key, state) in host.QueryEntitiesAsync<FlowShardState>(FlowShardEntity.Name))
        {
            if (!key.StartsWith(chain.Name + ":", StringComparison.Ordinal))
            {
                continue;
            }
            foreach (var (flow, held) in await FlowShardEntity.FlowsAsync(state, key, host.Packets))
            {
                flows[flow] = $"{held.Version} {Convert.ToHexString(held.Snapshot ?? [])}";
            }
        }
        Assert.NotEmpty(flows);
        return flows;
    }

    /// <summary>A host on a new task hub of the shared Azurite that polls its queues often (the tests wait on each other's work).</summary>
    private Task<DurableRuntimeHost> StartHostAsync(string name, int controlQueues) =>
        DurableChainRun.StartHostAsync(new DurableRuntimeOptions
        {
            StorageConnectionString = azurite.ConnectionString,
            TaskHubName = AzuriteFixture.UniqueName(name),
            ControlQueuePartitions = controlQueues,
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(200),
        });

    private static (ChainDefinition Chain, string File) FullChain()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        return (ChainDefinition.Load(chainFile), chainFile);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    /// <summary>The capture as one partition's two batches, sequence numbers its packet indexes.</summary>
    private static (PartitionBatch First, PartitionBatch Second) Halves(string capture)
    {
        var records = new List<(LinkType Link, byte[] Data, int Length, long Time)>();
        using (var reader = CaptureReader.Open(capture))
        {
            while (reader.TryRead(out var record))
            {
                records.Add((record.LinkType, record.Data.ToArray(), record.OriginalLength, record.TimestampNanos));
            }
        }
        int half = records.Count / 2;
        var first = new PartitionBatch(records.Count) { Partition = 0 };
        var second = new PartitionBatch(records.Count) { Partition = 0 };
        for (int i = 0; i < records.Count; i++)
        {
            var (link, data, length, time) = records[i];
            (i < half ? first : second).Add(i, 0, link, data, length, time);
        }
        return (first, second);
    }

    /// <summary>The batch's claim in the hub's packet store, and the NfBatch input the handler would send (after <paramref name="after"/> on the shards both touch).</summary>
    private static async Task<ChainBatch> UploadAsync(DurableRuntimeHost host, ChainDefinition chain, long rules, PartitionBatch batch, ChainBatch? after)
    {
        var claim = BatchClaim.Cut(batch, long.MinValue, 0, Shards, p => p.SequenceNumber);
        string blob = $"catchup-{claim.First.SequenceNumber}-{claim.Last.SequenceNumber}.nfb";
        await host.Packets.PutAsync(blob, claim.Blob);
        return new ChainBatch
        {
            ChainName = chain.Name,
            Partition = 0,
            FirstSequenceNumber = claim.First.SequenceNumber,
            LastSequenceNumber = claim.Last.SequenceNumber,
            RuleSetVersion = rules,
            BlocklistVersion = 0,
            Plan = ChainPlan.From(chain),
            ShardCount = Shards,
            SourceShardCount = 2,
            Blob = blob,
            Slices = claim.Slices,
            PreviousBatches = after is null
                ? new Dictionary<int, long>()
                : claim.Slices.Where(s => after.Slices.Any(a => a.Shard == s.Shard)).ToDictionary(s => s.Shard, _ => after.LastSequenceNumber),
        };
    }
}
