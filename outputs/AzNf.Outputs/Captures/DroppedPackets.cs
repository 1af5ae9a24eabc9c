using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Outputs.Captures;

/// <summary>
/// The capture indexes of the packets the chain dropped (8 bytes per drop; every other packet was
/// forwarded), gathered per partition without locks, for <see cref="VerdictCaptures"/>.
/// </summary>
public sealed class DroppedPackets : IChainOutput
{
    private readonly List<List<long>> _partitions = [];

    public IPartitionOutput ForPartition(ChainPartition partition)
    {
        var indexes = new List<long>();
        lock (_partitions)
        {
            _partitions.Add(indexes);
        }
        return new Recorder(indexes);
    }

    /// <summary>Every dropped packet's index, ascending (call after the run).</summary>
    public long[] Sorted()
    {
        lock (_partitions)
        {
            var all = _partitions.SelectMany(p => p).ToArray();
            Array.Sort(all);
            return all;
        }
    }

    private sealed class Recorder(List<long> indexes) : IPartitionOutput
    {
        public void Alert(Alert alert)
        {
        }

        public void FlowEnded(FlowRecord flow)
        {
        }

        public void Dropped(in PacketContext packet, string stage, string reason) => indexes.Add(packet.Index);

        public void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response)
        {
        }

        public void Rewritten(in PacketContext packet)
        {
        }

        public void BatchEnded(int packets, TimeSpan elapsed)
        {
        }

        public void Flush()
        {
        }
    }
}
