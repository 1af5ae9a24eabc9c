using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests;

/// <summary>Work units over hand-built frames: frame i is event i, captured at (i + 1) ms, capture index i + 1.</summary>
internal static class TestUnits
{
    public const long Millisecond = 1_000_000;

    public static ChainWorkUnit Unit(ChainDefinition chain, IReadOnlyList<byte[]> frames, int from, int to, ChainMode mode = ChainMode.Fused, ChainPlan? plan = null) => new()
    {
        ChainName = chain.Name,
        Partition = 0,
        FlowKey = KeyOf(frames[from]).ToString(),
        Mode = mode,
        FirstSequenceNumber = from,
        LastSequenceNumber = to - 1,
        RuleSetVersion = 1,
        BlocklistVersion = 0,
        Plan = plan ?? ChainPlan.From(chain),
        Packets = Enumerable.Range(from, to - from).Select(i => Packet(frames[i], i)).ToList(),
    };

    public static WorkPacket Packet(byte[] frame, int i) =>
        new(i, 0, i + 1, LinkType.Ethernet, (i + 1) * Millisecond, frame.Length, frame);

    public static FlowKey KeyOf(byte[] frame)
    {
        PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
        return FlowKey.From(parsed, out _);
    }

    /// <summary>Runs frames [from, to) through a partition in one go, the embedded engine's way.</summary>
    public static void RunWhole(ChainPartition partition, IReadOnlyList<byte[]> frames, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            var malformed = PacketParser.Parse(LinkType.Ethernet, frames[i], out var parsed);
            partition.Process(frames[i], parsed, malformed, frames[i].Length, (i + 1) * Millisecond, i + 1);
        }
    }
}
