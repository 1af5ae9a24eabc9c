namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// Which flow shard a flow belongs to: a stable hash of the flow key's canonical text, reduced by
/// the chain's shard count. Independent of the partition, so a flow is found from its key alone.
/// The durable runtime files flows under it (one entity per shard); state shared by many flows
/// is kept per (partition, shard) — a <i>slice</i> — in every runtime, so that a durable shard step
/// holds all of the state its packets can touch (docs/chain-file.md, <c>flowShards</c>).
/// </summary>
public static class FlowShardHash
{
    /// <summary>The most shards a chain may have (a durable slice header holds the shard in 16 bits).</summary>
    public const int MaxShards = 4096;

    /// <summary>The shard of <paramref name="flowKey"/> (FNV-1a over its UTF-16 code units: stable across processes and versions, unlike string.GetHashCode).</summary>
    public static int ShardOf(string flowKey, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(flowKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ulong hash = 14695981039346656037UL;
        foreach (char c in flowKey)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return (int)(hash % (ulong)shardCount);
    }
}
