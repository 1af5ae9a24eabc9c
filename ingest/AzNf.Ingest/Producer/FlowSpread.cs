using AzNf.Packets.Capture;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Producer;

/// <summary>
/// How a capture's flows spread over <c>n</c> partitions with the flow-key mapping the local log
/// uses (<see cref="FlowKey.PartitionOf"/>); what <c>aznf send --dry-run</c> prints. Needs no hub.
/// </summary>
/// <remarks>
/// Event Hubs maps a partition key to a partition with its own hash, so on a real hub the
/// per-partition numbers differ; what holds on both is that each flow lands whole on one
/// partition, and the balance is that of hashing these flows.
/// </remarks>
public sealed class FlowSpread
{
    private FlowSpread(int partitions)
    {
        Flows = new long[partitions];
        Packets = new long[partitions];
        Bytes = new long[partitions];
    }

    public long[] Flows { get; }
    public long[] Packets { get; }
    public long[] Bytes { get; }

    /// <summary>Frames that do not parse (no flow key); a hub spreads them round-robin.</summary>
    public long Unparsed { get; private set; }

    public long TotalFlows => Flows.Sum();

    public static FlowSpread Measure(CaptureReader capture, int partitions, Action<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var spread = new FlowSpread(partitions);
        var seen = new HashSet<FlowKey>();
        long index = 0;
        while (capture.TryRead(out var record))
        {
            if (PacketParser.Parse(record.LinkType, record.Data, out var parsed) != MalformedReason.None)
            {
                spread.Unparsed++;
                continue;
            }
            var key = FlowKey.From(parsed, out _);
            int p = key.PartitionOf(partitions);
            if (seen.Add(key))
            {
                spread.Flows[p]++;
            }
            spread.Packets[p]++;
            spread.Bytes[p] += record.OriginalLength;
            if ((++index & 0xFFFF) == 0)
            {
                progress?.Invoke(capture.Position);
            }
        }
        return spread;
    }
}
