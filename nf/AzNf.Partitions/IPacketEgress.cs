using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Partitions;

/// <summary>
/// A packet the chain forwarded, on its way to the next hop: its flow (<paramref name="Key"/> is
/// meaningful when <paramref name="IsParsed"/>), where it sat in its input partition (its capture
/// index numbers it uniquely there, increasing: what a consumer drops a repeat by) and its bytes.
/// </summary>
public readonly record struct ForwardedPacket(
    FlowKey Key,
    bool IsParsed,
    long SequenceNumber,
    int PositionInEvent,
    long CaptureIndex,
    LinkType LinkType,
    long TimestampNanos,
    int WireLength,
    ReadOnlyMemory<byte> Frame);

/// <summary>
/// Where a chain's forwarded packets go (an egress event hub). The durable path calls it with a
/// batch's forwarded packets, in partition order, after the batch ran and before its checkpoint:
/// a crash in between sends them again (at least once), and every packet carries its chain,
/// input partition and position, which is what a consumer drops a repeat by.
/// </summary>
public interface IPacketEgress
{
    Task SendAsync(string chainName, int partition, IReadOnlyList<ForwardedPacket> packets, CancellationToken cancellation);
}
