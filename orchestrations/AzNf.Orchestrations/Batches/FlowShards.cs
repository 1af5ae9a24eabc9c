using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// Which flow shard holds a flow: a stable hash of the flow key's canonical text, reduced by the
/// chain's shard count. Independent of the partition (Event Hubs hashes the partition key its own
/// way), so a flow is found from its key alone, and state outlives a change of partition count.
/// </summary>
public static class FlowShards
{
    /// <summary>The most shards a chain may have (a slice header holds the shard in 16 bits; far more than any batch should touch).</summary>
    public const int MaxShards = FlowShardHash.MaxShards;

    /// <summary>The shard of <paramref name="flowKey"/> (<see cref="FlowShardHash.ShardOf"/>: the embedded runtime slices shared state by it too).</summary>
    public static int ShardOf(string flowKey, int shardCount) => FlowShardHash.ShardOf(flowKey, shardCount);

    /// <summary>The flow-shard entity key: <c>{chain}:{shard}</c>.</summary>
    public static string EntityKey(string chainName, int shard) => $"{chainName}:{shard}";

    /// <summary>The source-shard entity key: <c>{chain}:{shard}</c>.</summary>
    public static string SourceEntityKey(string chainName, string address, int sourceShards) => $"{chainName}:{ShardOf(address, sourceShards)}";
}
