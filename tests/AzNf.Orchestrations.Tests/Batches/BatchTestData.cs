using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests.Batches;

/// <summary>Partition batches and shard steps over hand-built frames: frame i is event i + 1, captured at (i + 1) ms.</summary>
internal static class BatchTestData
{
    public static PartitionBatch Batch(IReadOnlyList<byte[]> frames, int from, int to, int partition = 0)
    {
        var batch = new PartitionBatch(1024) { Partition = partition };
        for (int i = from; i < to; i++)
        {
            batch.Add(i + 1, 0, LinkType.Ethernet, frames[i], frames[i].Length, (i + 1) * TestUnits.Millisecond);
        }
        return batch;
    }

    /// <summary>Cuts the batch into slices and returns each slice's packets with its step, as NfBatch would send them.</summary>
    public static List<(ShardStep Step, IReadOnlyList<SlicePacket> Packets)> Steps(ChainDefinition chain, PartitionBatch batch, int shards, int first = 0, int? count = null, DateTime? deadline = null, long lastSequence = long.MinValue, string blob = "b")
    {
        var claim = BatchClaim.Cut(batch, lastSequence, 0, shards, p => p.SequenceNumber);
        var bytes = claim.Blob.ToArray();
        return claim.Slices.Select(slice => (new ShardStep
        {
            ChainName = chain.Name,
            Partition = batch.Partition,
            BatchSequenceNumber = claim.Last.SequenceNumber,
            RuleSetVersion = 1,
            BlocklistVersion = 0,
            ShardCount = shards,
            Blob = blob,
            Slice = slice,
            FirstStage = first,
            StageCount = count ?? chain.Stages.Count - first,
            StageNames = chain.Stages.Skip(first).Take(count ?? chain.Stages.Count - first).Select(s => s.Name).ToList(),
            DeadlineUtc = deadline,
        }, PacketSliceFormat.Read(bytes.AsMemory((int)slice.Offset, slice.Length), slice, blob))).ToList();
    }

    public static ChainBatch ChainBatch(ChainDefinition chain, IReadOnlyList<SliceRef> slices) => new()
    {
        ChainName = chain.Name,
        Partition = 0,
        FirstSequenceNumber = 1,
        LastSequenceNumber = 100,
        RuleSetVersion = 1,
        BlocklistVersion = 0,
        Plan = ChainPlan.From(chain),
        ShardCount = 4,
        SourceShardCount = 2,
        Blob = "b",
        Slices = slices,
    };
}
