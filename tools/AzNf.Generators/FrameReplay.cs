using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.Generators;

/// <summary>Feeds Ethernet frames straight into a chain partition (benchmarks and memory measurements: no capture, no log).</summary>
public static class FrameReplay
{
    public static void Replay(ChainPartition partition, IReadOnlyList<byte[]> frames)
    {
        ArgumentNullException.ThrowIfNull(partition);
        ArgumentNullException.ThrowIfNull(frames);
        for (int i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            partition.Process(frame, parsed, malformed, frame.Length, 1_000_000_000, i + 1);
        }
    }
}
