using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;
using AzNf.Packets.Capture;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// The fast path's group commit: flows run in memory, stored in the chain's flow shards every
/// few seconds, and a partition that moves to another processor keeps its flows' state.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ShardedFastPathTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Move_PartitionToAnotherProcessorAfterUncheckpointedCommits_FlowsKeepTheirStateAndCountOnce()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = DurableChainRunTests.GeneratedCapture(flows: 40, seed: 23);
        var chain = ChainDefinition.Load(chainFile);
        var expected = DurableChainRunTests.Embedded(chainFile, capture);
        var batches = Batches(capture, partitions: 2, packetsPerBatch: 20);
        Assert.True(batches[1].Count >= 8, $"partition 1 has only {batches[1].Count} batches");
        await using var host = await DurableChainRun.StartHostAsync(new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("fast"), ControlQueuePartitions = 2 });
        var options = new ShardedFastPathOptions { CommitInterval = TimeSpan.FromHours(1), CompletionPoll = TimeSpan.FromMilliseconds(200) };

        var first = new ShardedFastPathHandler(host, chain, 2, options);
        await first.OpenPartitionAsync(0, default);
        await first.OpenPartitionAsync(1, default);
        foreach (var batch in batches[0])
        {
            await first.HandleAsync(batch, default);
        }
        int half = batches[1].Count / 2;
        for (int i = 0; i < half; i++)
        {
            await first.HandleAsync(batches[1][i], default);
        }
        Assert.Equal(-1, first.CheckpointableThrough(1));
        await first.CommitAsync(1, default);
        // The consumer checkpoints here. The first processor then commits two more batches and is
        // gone before its checkpoint moves, with a third batch run but never committed.
        long checkpoint = first.CheckpointableThrough(1);
        await first.HandleAsync(batches[1][half], default);
        await first.HandleAsync(batches[1][half + 1], default);
        await first.CommitAsync(1, default);
        await first.HandleAsync(batches[1][half + 2], default);

        // The second processor takes partition 1 from the shards and replays from the checkpoint.
        var second = new ShardedFastPathHandler(host, chain, 2, options);
        await second.OpenPartitionAsync(1, default);
        foreach (var batch in batches[1].Skip(half))
        {
            await second.HandleAsync(batch, default);
        }
        await second.ClosePartitionAsync(1, PartitionCloseReason.EndOfInput, default);
        await first.ClosePartitionAsync(0, PartitionCloseReason.EndOfInput, default);
        var afterMove = await ShardFlowsAsync(host, chain.Name);
        // The old owner comes back with its stale partition 1 and commits it: the shards hold newer versions.
        await first.CommitAsync(1, default);
        var afterStaleCommit = await ShardFlowsAsync(host, chain.Name);

        Assert.Equal(batches[1][half - 1].LastSequenceNumber, checkpoint);
        Assert.Equal(batches[1][half].Count + batches[1][half + 1].Count, second.ReplaySkipped);
        var expectedLive = expected.Flows.Where(f => f.End == ReportFlow.EndName(FlowEndReason.EndOfRun)).OrderBy(f => f.Key, StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expectedLive);
        Assert.Equal(expectedLive, afterMove);
        Assert.Equal(afterMove, afterStaleCommit);
    }

    [Fact]
    public async Task Rules_PublishedBetweenBatches_LaterPacketsRunUnderThemAndFlowsKeepTheirState()
    {
        string folder = OracleProcess.TempDirectory("fast-rules");
        string rules = Path.Combine(folder, "ids.rules");
        string chainFile = Path.Combine(folder, "fast-rules.json");
        File.WriteAllText(rules, "alert tcp any any -> any any (msg:\"never\"; content:\"no-such-bytes-anywhere\"; sid:1; rev:1;)\n");
        File.WriteAllText(chainFile, """{ "name": "fastrules", "stages": [ { "name": "counter", "type": "counter" }, { "name": "ids", "type": "ids", "rules": "ids.rules" } ] }""");
        string capture = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng");
        var chain = ChainDefinition.Load(chainFile);
        var batches = Batches(capture, partitions: 1, packetsPerBatch: 40)[0];
        await using var host = await DurableChainRun.StartHostAsync(new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("fastrules"), ControlQueuePartitions = 1 });
        await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        var handler = new ShardedFastPathHandler(host, chain, 1, new ShardedFastPathOptions { PolicyRefresh = TimeSpan.Zero, CommitInterval = TimeSpan.FromHours(1), CompletionPoll = TimeSpan.FromMilliseconds(200) });

        await handler.OpenPartitionAsync(0, default);
        await handler.HandleAsync(batches[0], default);
        int alertsBefore = handler.Partition(0)!.Alerts.Alerts.Count;
        File.Copy(Path.Combine(OracleProcess.RepositoryRoot(), "samples", "rules", "ids.rules"), rules, overwrite: true);
        long version = await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(chainFile), CancellationToken.None);
        foreach (var batch in batches.Skip(1))
        {
            await handler.HandleAsync(batch, default);
        }
        var alerts = handler.Partition(0)!.Alerts.Alerts;
        await handler.ClosePartitionAsync(0, PartitionCloseReason.EndOfInput, default);
        var expected = DurableChainRunTests.Embedded(chainFile, capture).Flows.Where(f => f.End == ReportFlow.EndName(FlowEndReason.EndOfRun)).OrderBy(f => f.Key, StringComparer.Ordinal).ToList();

        Assert.Equal(0, alertsBefore);
        Assert.Equal((2L, 1L, 0L), (version, handler.RuleChanges, handler.PolicyFailures));
        Assert.Equal(version, handler.Rules(0)!.RuleSetVersion);
        Assert.NotEmpty(alerts);
        Assert.All(alerts, a => Assert.True(a.Sid >= 1000001, $"sid {a.Sid} is not one of the new rules"));
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(f => (f.Key, f.Packets, f.Bytes)), (await ShardFlowsAsync(host, chain.Name)).Select(f => (f.Key, f.Packets, f.Bytes)));
    }

    /// <summary>
    /// A worker killed between the shards' replies to a group commit and their commits: the owner
    /// sees the commit done (so its checkpoint may move) while no shard stored it, and the requests
    /// reach the shards again only later. The commit's blob must still be there then: the
    /// redelivered commit applies its flows, the shards end as in a run nobody killed, and the
    /// owner purges the commit once the shards show it stored.
    /// </summary>
    [Fact]
    public async Task Commit_RepliedBeforeTheShardsStoredIt_ItsBlobStaysForTheRedeliveredRequests()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = DurableChainRunTests.GeneratedCapture(flows: 30, seed: 29);
        var chain = ChainDefinition.Load(chainFile);
        var batches = Batches(capture, partitions: 1, packetsPerBatch: 25)[0];
        var options = new ShardedFastPathOptions { CommitInterval = TimeSpan.FromHours(1), CompletionPoll = TimeSpan.FromMilliseconds(200) };
        await using var host = await DurableChainRun.StartHostAsync(new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("fastunstored"), ControlQueuePartitions = 1 });
        await using var control = await DurableChainRun.StartHostAsync(new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("fastcontrol"), ControlQueuePartitions = 1 });
        await RunAsync(new ShardedFastPathHandler(control, chain, 1, options), batches, commitAfter: batches.Count / 2);

        var hub = new ReplyBeforeCommitHub(host, FlowCommitOrchestrator.Name, input => new FlowCommitResult(((FlowCommit)input).Commits.Count, 0));
        var handler = new ShardedFastPathHandler(hub, chain, 1, options);
        await handler.OpenPartitionAsync(0, default);
        foreach (var batch in batches.Take(batches.Count / 2))
        {
            await handler.HandleAsync(batch, default);
        }
        await handler.CommitAsync(0, default);
        long checkpoint = handler.CheckpointableThrough(0);
        // The redelivered requests of the commit the owner saw done.
        await host.StartOrchestrationAsync(FlowCommitOrchestrator.Name, hub.HeldInstanceId!, hub.HeldInput!, CancellationToken.None);
        var redelivered = await host.WaitForOutcomeAsync<FlowCommitResult>(hub.HeldInstanceId!, TimeSpan.FromMilliseconds(200), new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        foreach (var batch in batches.Skip(batches.Count / 2))
        {
            await handler.HandleAsync(batch, default);
        }
        await handler.ClosePartitionAsync(0, PartitionCloseReason.EndOfInput, default);

        Assert.Equal(batches[(batches.Count / 2) - 1].LastSequenceNumber, checkpoint);
        Assert.True(redelivered.Completed, redelivered.Failure);
        Assert.True(redelivered.Output!.Applied > 0);
        Assert.Equal(await ShardCatchUpTests.StoredFlowsAsync(control, chain), await ShardCatchUpTests.StoredFlowsAsync(host, chain));
        Assert.Equal(0, handler.UnpurgedCommits);
    }

    /// <summary>Runs the partition's batches through <paramref name="handler"/>, committing after the first <paramref name="commitAfter"/>, and closes it.</summary>
    private static async Task RunAsync(ShardedFastPathHandler handler, List<PartitionBatch> batches, int commitAfter)
    {
        await handler.OpenPartitionAsync(0, default);
        for (int i = 0; i < batches.Count; i++)
        {
            if (i == commitAfter)
            {
                await handler.CommitAsync(0, default);
            }
            await handler.HandleAsync(batches[i], default);
        }
        await handler.ClosePartitionAsync(0, PartitionCloseReason.EndOfInput, default);
        Assert.Equal(0, handler.UnpurgedCommits);
    }

    /// <summary>The live flows the chain's shards hold, as a report lists flows still open at the end.</summary>
    private static async Task<List<ReportFlow>> ShardFlowsAsync(DurableRuntimeHost host, string chainName)
    {
        var flows = new List<ReportFlow>();
        await foreach (var (key, state) in host.QueryEntitiesAsync<FlowShardState>(FlowShardEntity.Name))
        {
            if (!key.StartsWith(chainName + ":", StringComparison.Ordinal))
            {
                continue;
            }
            var map = await FlowShardProcessor.LoadAsync(state, key, host.Packets, default);
            flows.AddRange(map.Flows.Where(f => f.Value.Snapshot is not null).Select(f => WorkResultTally.EndOfRun(f.Key, f.Value.Snapshot!)));
        }
        return [.. flows.OrderBy(f => f.Key, StringComparer.Ordinal)];
    }

    /// <summary>The capture cut as the local log cuts it: by flow key onto partitions, then into batches of a partition's packets.</summary>
    private static List<PartitionBatch>[] Batches(string capturePath, int partitions, int packetsPerBatch)
    {
        var batches = Enumerable.Range(0, partitions).Select(_ => new List<PartitionBatch>()).ToArray();
        using var capture = CaptureReader.Open(capturePath);
        long index = 0;
        while (capture.TryRead(out var record))
        {
            index++;
            int p = PacketParser.Parse(record.LinkType, record.Data, out var parsed) == MalformedReason.None
                ? FlowKey.From(parsed, out _).PartitionOf(partitions)
                : (int)(index % partitions);
            var list = batches[p];
            if (list.Count == 0 || list[^1].Count == packetsPerBatch)
            {
                list.Add(new PartitionBatch(packetsPerBatch) { Partition = p });
            }
            list[^1].Add(index, 0, record.LinkType, record.Data, record.OriginalLength, record.TimestampNanos);
        }
        return batches;
    }
}
