namespace AzNf.Partitions;

/// <summary>
/// How far a handler got in a partition: the last packet it handled, by event sequence number and
/// then position in the event. A packet at or before it is a redelivery, handled already.
/// </summary>
public struct PartitionPosition
{
    public PartitionPosition()
    {
    }

    public long Sequence { get; private set; } = long.MinValue;

    public int Position { get; private set; }

    /// <summary>True when <paramref name="packet"/> is at or before this position (already handled).</summary>
    public readonly bool Covers(in PartitionPacket packet) =>
        packet.SequenceNumber < Sequence || (packet.SequenceNumber == Sequence && packet.PositionInEvent <= Position);

    public void MoveTo(in PartitionPacket packet)
    {
        Sequence = packet.SequenceNumber;
        Position = packet.PositionInEvent;
    }
}
