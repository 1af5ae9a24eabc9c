using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Chains;

/// <summary>
/// Idle <see cref="ChainPartition"/>s per compiled chain. A partition is single-threaded and
/// costly to build (NF instances, stream buffers), so a step rents one, runs one flow through
/// it and gives it back empty. Keyed weakly by the chain, so a replaced chain's partitions go
/// with it, and by the run's partition count, which stages that share limits among partitions
/// are built with.
/// </summary>
internal sealed class ChainPartitionPool
{
    private const int MaxIdlePerChain = 16;

    private readonly ConditionalWeakTable<ChainDefinition, ConcurrentDictionary<(int Index, int Count), ConcurrentBag<ChainPartition>>> _idle = [];

    public static ChainPartitionPool Shared { get; } = new();

    /// <summary>An idle partition of <paramref name="chain"/> built as partition <paramref name="index"/> of <paramref name="partitionCount"/> (a NAT picks ports by it), or a new one.</summary>
    public ChainPartition Rent(ChainDefinition chain, int index = 0, int partitionCount = 1) =>
        Idle(chain, index, partitionCount).TryTake(out var partition) ? partition : new ChainPartition(chain, index, recordEveryFlow: true, partitionCount: partitionCount);

    public void Return(ChainDefinition chain, ChainPartition partition)
    {
        if (partition.Flows.Count > 0)
        {
            partition.Finish();
        }
        // Steps copy out their alerts and flow records before they return the partition.
        partition.ClearRecords();
        partition.Flows.KeysElsewhere = null;
        var idle = Idle(chain, partition.Index, partition.PartitionCount);
        if (idle.Count < MaxIdlePerChain)
        {
            idle.Add(partition);
        }
    }

    private ConcurrentBag<ChainPartition> Idle(ChainDefinition chain, int index, int partitionCount) =>
        _idle.GetOrCreateValue(chain).GetOrAdd((index, partitionCount), _ => []);
}
