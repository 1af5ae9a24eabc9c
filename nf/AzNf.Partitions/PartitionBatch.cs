using AzNf.Packets.Parsing;

namespace AzNf.Partitions;

/// <summary>
/// An ordered run of packets from one partition, as a consumer (Event Hubs or the local log)
/// hands it to an <see cref="IPartitionBatchHandler"/>. The frames are copied into one buffer the
/// batch owns, so a batch is reusable and filling it allocates nothing once it has grown.
/// </summary>
public sealed class PartitionBatch
{
    private PartitionPacket[] _packets;
    private byte[] _data;

    /// <param name="maxPackets">Most packets in the batch.</param>
    /// <param name="initialBytes">Frame buffer to start with (it grows as needed).</param>
    /// <param name="maxBytes">The batch is full once its frames reach this many bytes (a batch always takes at least one packet).</param>
    public PartitionBatch(int maxPackets, int initialBytes = 64 * 1024, int maxBytes = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPackets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        MaxPackets = maxPackets;
        MaxBytes = maxBytes;
        _packets = new PartitionPacket[Math.Min(maxPackets, 1024)];
        _data = new byte[Math.Max(initialBytes, 2048)];
    }

    /// <summary>The partition every packet of the batch came from.</summary>
    public int Partition { get; set; }

    /// <summary>Most packets the batch takes before <see cref="IsFull"/>.</summary>
    public int MaxPackets { get; }

    /// <summary>Frame bytes at which the batch is <see cref="IsFull"/>.</summary>
    public int MaxBytes { get; }

    public int Count { get; private set; }

    public int DataLength { get; private set; }

    public bool IsFull => Count >= MaxPackets || DataLength >= MaxBytes;

    /// <summary>The packets, in partition order.</summary>
    public ReadOnlySpan<PartitionPacket> Packets => _packets.AsSpan(0, Count);

    /// <summary>Sequence number of the last event in the batch; what a consumer checkpoints after handling it.</summary>
    public long LastSequenceNumber => Count == 0 ? -1 : _packets[Count - 1].SequenceNumber;

    /// <summary>The frame bytes of <paramref name="packet"/>.</summary>
    public ReadOnlySpan<byte> Frame(in PartitionPacket packet) => _data.AsSpan(packet.Offset, packet.Length);

    /// <summary>The packet's bytes as memory, valid until the batch is cleared.</summary>
    public ReadOnlyMemory<byte> FrameMemory(in PartitionPacket packet) => _data.AsMemory(packet.Offset, packet.Length);

    /// <summary>Copies one packet into the batch. Packets must arrive in partition order.</summary>
    public void Add(long sequenceNumber, int positionInEvent, LinkType linkType, ReadOnlySpan<byte> frame, int wireLength, long timestampNanos)
    {
        if (IsFull)
        {
            throw new InvalidOperationException($"the batch is full ({Count} of {MaxPackets} packets, {DataLength} of {MaxBytes} bytes)");
        }
        if (Count > 0)
        {
            ref readonly var last = ref _packets[Count - 1];
            if (sequenceNumber < last.SequenceNumber || (sequenceNumber == last.SequenceNumber && positionInEvent <= last.PositionInEvent))
            {
                throw new ArgumentException($"packet {sequenceNumber}/{positionInEvent} arrives after {last.SequenceNumber}/{last.PositionInEvent}: batches are in partition order", nameof(sequenceNumber));
            }
        }
        if (Count == _packets.Length)
        {
            Array.Resize(ref _packets, Math.Min(MaxPackets, _packets.Length * 2));
        }
        if (DataLength + frame.Length > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, DataLength + frame.Length));
        }
        frame.CopyTo(_data.AsSpan(DataLength));
        _packets[Count++] = new PartitionPacket(sequenceNumber, positionInEvent, linkType, timestampNanos, wireLength, DataLength, frame.Length);
        DataLength += frame.Length;
    }

    public void Clear()
    {
        Count = 0;
        DataLength = 0;
    }
}
