using AzNf.Ingest.Consumer;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;

namespace AzNf.Ingest.Tests;

/// <summary>
/// Layering runs one way: Packets ← Partitions (the stream contract) ← NetworkFunctions (the
/// engine and the NFs) ← Orchestrations; Packets ← Partitions ← Ingest. Ingestion must not
/// need the NF engine, nor the engine the ingestion.
/// </summary>
public class LayeringTests
{
    private static HashSet<string> AzNfReferences(Type type) =>
        type.Assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("AzNf.", StringComparison.Ordinal)).ToHashSet();

    [Fact]
    public void Partitions_ReferencesOnlyPackets()
    {
        Assert.Equal(["AzNf.Packets"], AzNfReferences(typeof(IPartitionBatchHandler)));
    }

    [Fact]
    public void Ingest_ReferencesPacketsAndPartitionsNotTheEngine()
    {
        Assert.Equal(["AzNf.Packets", "AzNf.Partitions"], AzNfReferences(typeof(PacketEventProcessor)).Order());
    }

    [Fact]
    public void NetworkFunctions_ReferencesPacketsAndPartitionsOnly()
    {
        Assert.Equal(["AzNf.Packets", "AzNf.Partitions"], AzNfReferences(typeof(ChainPartition)).Order());
    }
}
