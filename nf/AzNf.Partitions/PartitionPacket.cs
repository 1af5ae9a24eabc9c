using AzNf.Packets.Parsing;

namespace AzNf.Partitions;

/// <summary>
/// One packet of a partition batch: its place in the partition's ordered stream (the event's
/// sequence number and the packet's position inside that event, since an event may carry a
/// flowlet) and where its bytes sit in the batch buffer.
/// </summary>
public readonly record struct PartitionPacket(
    long SequenceNumber,
    int PositionInEvent,
    LinkType LinkType,
    long TimestampNanos,
    int WireLength,
    int Offset,
    int Length);
