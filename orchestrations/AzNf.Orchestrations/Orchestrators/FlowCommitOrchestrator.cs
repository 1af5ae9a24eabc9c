using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Orchestrators;

/// <summary>
/// The <c>NfCommit</c> orchestration: the fast path's group commit. A partition owner that runs
/// its flows in memory writes its dirty flows, grouped by flow shard, as one blob and starts this
/// with the reference; every touched <c>flows</c> entity merges its range (entity calls, in
/// parallel), and the orchestration ends once all of them stored it — only then may the owner's
/// checkpoint move past the packets the commit reflects.
/// </summary>
public sealed class FlowCommitOrchestrator : TaskOrchestrator<FlowCommit, FlowCommitResult>
{
    public const string Name = "NfCommit";

    public override async Task<FlowCommitResult> RunAsync(TaskOrchestrationContext context, FlowCommit input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        if (input.Shards.Count == 0 || input.Shards.Count != input.Commits.Count)
        {
            throw new ArgumentException($"{Name} {context.InstanceId}: {input.Shards.Count} shards for {input.Commits.Count} commits");
        }
        var calls = input.Shards.Select((shard, i) => context.Entities.CallEntityAsync<ShardCommitResult>(
            new EntityInstanceId(FlowShardEntity.Name, FlowShards.EntityKey(input.ChainName, shard)), nameof(FlowShardEntity.Commit), input.Commits[i]));
        var results = await Task.WhenAll(calls);
        return new FlowCommitResult(results.Sum(r => r.Applied), results.Sum(r => r.AlreadyHeld))
        {
            // A shard that took nothing of this commit has nothing of it to store.
            ShardsStored = input.Shards.Select((shard, i) => (shard, stored: results[i].Applied == 0 ? input.Commits[i].Through : results[i].StoredThrough))
                .ToDictionary(s => s.shard, s => s.stored),
        };
    }
}

/// <summary>One group commit: the chain, and per touched flow shard its range of the commit blob.</summary>
public sealed record FlowCommit(string ChainName, List<int> Shards, List<ShardCommit> Commits);

/// <summary>Flows the shards took, and flows they held already at the same or a later version.</summary>
public sealed record FlowCommitResult(int Applied, int AlreadyHeld)
{
    /// <summary>Per shard of the commit, how far its stored state held the partition (<see cref="ShardCommitResult.StoredThrough"/>): earlier commits of these shards may be purged.</summary>
    public IReadOnlyDictionary<int, long> ShardsStored { get; init; } = new Dictionary<int, long>();
}
