using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Events;

/// <summary>
/// Builds one packet event body: a single packet, or a flowlet of packets of one flow. The
/// writer owns a growable buffer that it reuses from one event to the next.
/// </summary>
public sealed class PacketEventWriter
{
    private byte[] _buffer;
    private int _length;

    /// <param name="maxBodyLength">Largest body to build (the hub's event size limit minus room for properties).</param>
    /// <param name="initialCapacity">Buffer to start with; the writer grows it as needed (up to <paramref name="maxBodyLength"/>).</param>
    public PacketEventWriter(int maxBodyLength, int initialCapacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBodyLength, PacketEventFormat.Overhead(1) + 1);
        MaxBodyLength = maxBodyLength;
        _buffer = new byte[Math.Clamp(initialCapacity, PacketEventFormat.HeaderLength, maxBodyLength)];
    }

    public int MaxBodyLength { get; }

    /// <summary>Packets in the body being built.</summary>
    public int Count { get; private set; }

    public LinkType LinkType { get; private set; }

    public long BaseTimestampNanos { get; private set; }

    /// <summary>The body so far; valid until the next <see cref="Start"/>.</summary>
    public ReadOnlySpan<byte> Body => _buffer.AsSpan(0, _length);

    /// <summary>Largest frame a body of this writer can carry alone.</summary>
    public int MaxFrameLength => Math.Min(PacketEventFormat.MaxFrameLength, MaxBodyLength - PacketEventFormat.Overhead(1));

    /// <summary>Begins a new body; the previous one is discarded.</summary>
    public void Start(LinkType linkType, long baseTimestampNanos)
    {
        LinkType = linkType;
        BaseTimestampNanos = baseTimestampNanos;
        Count = 0;
        _length = PacketEventFormat.HeaderLength;
        var header = _buffer.AsSpan(0, PacketEventFormat.HeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(header[PacketEventFormat.MagicOffset..], PacketEventFormat.Magic);
        header[PacketEventFormat.VersionOffset] = PacketEventFormat.Version;
        header[PacketEventFormat.FlagsOffset] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(header[PacketEventFormat.LinkTypeOffset..], (ushort)linkType);
        BinaryPrimitives.WriteUInt16LittleEndian(header[PacketEventFormat.CountOffset..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(header[PacketEventFormat.BaseTimestampOffset..], baseTimestampNanos);
    }

    /// <summary>Whether a packet with these properties could join the body being built.</summary>
    public bool Fits(LinkType linkType, int frameLength, long timestampNanos)
    {
        long delta = timestampNanos - BaseTimestampNanos;
        return Count < PacketEventFormat.MaxPacketsPerEvent
            && linkType == LinkType
            && delta is >= 0 and <= PacketEventFormat.MaxTimestampDelta
            && frameLength <= PacketEventFormat.MaxFrameLength
            && _length + PacketEventFormat.RecordHeaderLength + frameLength <= MaxBodyLength;
    }

    /// <summary>
    /// Appends one packet; false (and nothing written) when it does not fit this body: another
    /// link type, out of the flowlet's time span, the packet limit, or the size limit.
    /// </summary>
    /// <remarks>A wire length below the captured length (a damaged capture) is raised to it.</remarks>
    public bool TryAppend(ReadOnlySpan<byte> frame, int wireLength, long timestampNanos)
    {
        if (!Fits(LinkType, frame.Length, timestampNanos))
        {
            return false;
        }
        int needed = _length + PacketEventFormat.RecordHeaderLength + frame.Length;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Min(MaxBodyLength, Math.Max(needed, _buffer.Length * 2)));
        }
        var record = _buffer.AsSpan(_length, PacketEventFormat.RecordHeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(record[PacketEventFormat.DeltaOffset..], (uint)(timestampNanos - BaseTimestampNanos));
        BinaryPrimitives.WriteUInt32LittleEndian(record[PacketEventFormat.WireLengthOffset..], (uint)Math.Max(wireLength, frame.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(record[PacketEventFormat.CapturedLengthOffset..], (uint)frame.Length);
        frame.CopyTo(_buffer.AsSpan(_length + PacketEventFormat.RecordHeaderLength));
        _length = needed;
        Count++;
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(PacketEventFormat.CountOffset), (ushort)Count);
        return true;
    }

    /// <summary>Copies the finished body into a new array (what an event body needs).</summary>
    public byte[] ToArray() => Body.ToArray();
}
