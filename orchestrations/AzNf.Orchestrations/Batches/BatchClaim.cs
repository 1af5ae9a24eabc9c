using AzNf.Partitions;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// A partition batch made ready to claim-check: its fresh packets (those after what the partition
/// already handled) grouped by flow shard, in partition order within each shard, written as one
/// blob of slices, with the slice references the orchestration carries instead of the packets.
/// </summary>
public sealed class BatchClaim
{
    private BatchClaim(ReadOnlyMemory<byte> blob, IReadOnlyList<SliceRef> slices, int packets, long wireBytes, PartitionPacket first, PartitionPacket last, long clockNanos, long[] unparsed)
    {
        ClockNanos = clockNanos;
        Blob = blob;
        Slices = slices;
        PacketCount = packets;
        WireBytes = wireBytes;
        First = first;
        Last = last;
        Unparsed = unparsed;
    }

    /// <summary>The blob: the slices one after the other, in shard order.</summary>
    public ReadOnlyMemory<byte> Blob { get; }

    public IReadOnlyList<SliceRef> Slices { get; }

    /// <summary>Fresh packets in the claim.</summary>
    public int PacketCount { get; }

    public long WireBytes { get; }

    public PartitionPacket First { get; }

    public PartitionPacket Last { get; }

    /// <summary>The latest capture time of the claim's packets: the partition's clock once the batch has run, which expires idle flows.</summary>
    public long ClockNanos { get; }

    /// <summary>Frames that did not parse, by <see cref="MalformedReason"/> (they still run, in their partition's pseudo-flow).</summary>
    public long[] Unparsed { get; }

    /// <param name="batch">The partition batch.</param>
    /// <param name="lastSequence">The last event this partition handled (packets up to it and <paramref name="lastPosition"/> are skipped).</param>
    /// <param name="lastPosition">The position in that event of the last packet handled.</param>
    /// <param name="shardCount">Flow shards of the chain.</param>
    /// <param name="captureIndexOf">A packet's 1-based capture index for alerts and flow records.</param>
    public static BatchClaim Cut(PartitionBatch batch, long lastSequence, int lastPosition, int shardCount, Func<PartitionPacket, long> captureIndexOf)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(captureIndexOf);
        var byShard = new List<SlicePacket>?[shardCount];
        var shardOf = new Dictionary<FlowKey, int>();
        var unparsed = new long[MalformedReasons.Count];
        int unparsedShard = FlowShards.ShardOf(UnitKeys.Unparsed(batch.Partition), shardCount);
        int count = 0;
        long wire = 0;
        long clock = long.MinValue;
        PartitionPacket first = default, last = default;
        foreach (ref readonly var packet in batch.Packets)
        {
            if (packet.SequenceNumber < lastSequence || (packet.SequenceNumber == lastSequence && packet.PositionInEvent <= lastPosition))
            {
                continue;
            }
            var frame = batch.Frame(packet);
            var malformed = PacketParser.Parse(packet.LinkType, frame, out var parsed);
            int shard;
            if (malformed == MalformedReason.None)
            {
                var key = FlowKey.From(parsed, out _);
                if (!shardOf.TryGetValue(key, out shard))
                {
                    shardOf[key] = shard = FlowShards.ShardOf(key.ToString(), shardCount);
                }
            }
            else
            {
                unparsed[(int)malformed]++;
                shard = unparsedShard;
            }
            (byShard[shard] ??= []).Add(new SlicePacket(
                packet.SequenceNumber, packet.PositionInEvent, captureIndexOf(packet), packet.LinkType, packet.TimestampNanos, packet.WireLength, batch.FrameMemory(packet)));
            if (count == 0)
            {
                first = packet;
            }
            last = packet;
            count++;
            wire += packet.WireLength;
            clock = Math.Max(clock, packet.TimestampNanos);
        }

        int size = byShard.Sum(s => s is null ? 0 : PacketSliceFormat.SizeOf(s.Select(p => p.Frame.Length)));
        byte[] blob = new byte[size];
        var slices = new List<SliceRef>();
        int at = 0;
        for (int shard = 0; shard < shardCount; shard++)
        {
            if (byShard[shard] is not { } packets)
            {
                continue;
            }
            int written = PacketSliceFormat.Write(blob.AsSpan(at), shard, packets);
            slices.Add(new SliceRef(shard, at, written, packets.Count, packets.Sum(p => (long)p.WireLength), ContentHash.Of(blob.AsSpan(at, written))));
            at += written;
        }
        return new BatchClaim(blob, slices, count, wire, first, last, count == 0 ? 0 : clock, unparsed);
    }
}
