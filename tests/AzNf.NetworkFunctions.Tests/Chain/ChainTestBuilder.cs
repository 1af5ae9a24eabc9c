using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Chain;

/// <summary>Feeds hand-built frames to one <see cref="ChainPartition"/> in order.</summary>
internal sealed class PartitionDriver(ChainPartition partition)
{
    private long _index;

    public ChainPartition Partition { get; } = partition;

    public static PartitionDriver ForChain(string json) =>
        new(new ChainPartition(ChainDefinition.Parse(json, "test.json", Path.GetTempPath()), 0));

    public Verdict Send(byte[] frame, long timestampNanos)
    {
        var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
        return Partition.Process(frame, parsed, malformed, frame.Length, timestampNanos, ++_index);
    }

    public IReadOnlyList<FlowRecord> Finish()
    {
        Partition.Finish();
        return Partition.FinishedFlows.OrderBy(f => f.FirstPacketIndex).ToList();
    }

    public const string CounterChain = """{ "stages": [ { "type": "counter" } ] }""";
}
