using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// The claim-checked packets of a partition batch: one blob per batch, made of one
/// <em>slice</em> per flow shard the batch touches, so that each shard reads its own byte range
/// and nobody reads the whole batch. Little-endian throughout; the byte layout is in
/// docs/durable.md ("The batch blob").
/// </summary>
/// <remarks>
/// A slice header carries the base sequence number, timestamp and capture index, and each packet
/// record the deltas, so a record costs 28 bytes on top of its frame (the packet event format's
/// records cost 12, but carry no sequence number: an event has one). The reference to a slice
/// (<see cref="SliceRef"/>) carries its SHA-256, checked before a byte of it is used.
/// </remarks>
public static class PacketSliceFormat
{
    /// <summary>"NB": NF batch slice.</summary>
    public const ushort Magic = 0x424E;

    public const byte Version = 1;

    public const int HeaderSize = 40;

    public const int RecordHeaderSize = 28;

    private const int MagicOffset = 0;
    private const int VersionOffset = 2;
    private const int FlagsOffset = 3;
    private const int ShardOffset = 4;
    private const int CountOffset = 8;
    private const int BaseSequenceOffset = 16;
    private const int BaseTimestampOffset = 24;
    private const int BaseIndexOffset = 32;

    private const int SequenceDeltaOffset = 0;
    private const int PositionOffset = 4;
    private const int LinkTypeOffset = 6;
    private const int IndexDeltaOffset = 8;
    private const int TimestampDeltaOffset = 12;
    private const int WireLengthOffset = 20;
    private const int CapturedLengthOffset = 24;

    /// <summary>The longest frame a record may hold (libpcap's snapshot limit, as in the event format).</summary>
    public const int MaxFrameLength = 262_144;

    /// <summary>The bytes a slice of these packets takes.</summary>
    public static int SizeOf(IEnumerable<int> frameLengths) => HeaderSize + frameLengths.Sum(l => RecordHeaderSize + l);

    /// <summary>
    /// Writes one shard's slice (its packets in partition order) into <paramref name="destination"/>
    /// and returns the bytes written. A slice spans less than 2³² sequence numbers and capture
    /// indexes from its first packet (a record holds 32-bit deltas).
    /// </summary>
    public static int Write(Span<byte> destination, int shard, IReadOnlyList<SlicePacket> packets)
    {
        ArgumentNullException.ThrowIfNull(packets);
        if (packets.Count == 0)
        {
            throw new ArgumentException("a slice holds at least one packet", nameof(packets));
        }
        long baseSequence = packets[0].SequenceNumber;
        long baseTimestamp = packets[0].TimestampNanos;
        long baseIndex = packets[0].CaptureIndex;
        destination[..HeaderSize].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(destination[MagicOffset..], Magic);
        destination[VersionOffset] = Version;
        destination[FlagsOffset] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[ShardOffset..], checked((ushort)shard));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[CountOffset..], (uint)packets.Count);
        BinaryPrimitives.WriteInt64LittleEndian(destination[BaseSequenceOffset..], baseSequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[BaseTimestampOffset..], baseTimestamp);
        BinaryPrimitives.WriteInt64LittleEndian(destination[BaseIndexOffset..], baseIndex);
        int at = HeaderSize;
        foreach (var packet in packets)
        {
            var frame = packet.Frame.Span;
            var record = destination[at..];
            BinaryPrimitives.WriteUInt32LittleEndian(record[SequenceDeltaOffset..], checked((uint)(packet.SequenceNumber - baseSequence)));
            BinaryPrimitives.WriteUInt16LittleEndian(record[PositionOffset..], checked((ushort)packet.PositionInEvent));
            BinaryPrimitives.WriteUInt16LittleEndian(record[LinkTypeOffset..], (ushort)packet.LinkType);
            BinaryPrimitives.WriteUInt32LittleEndian(record[IndexDeltaOffset..], checked((uint)(packet.CaptureIndex - baseIndex)));
            BinaryPrimitives.WriteInt64LittleEndian(record[TimestampDeltaOffset..], packet.TimestampNanos - baseTimestamp);
            BinaryPrimitives.WriteUInt32LittleEndian(record[WireLengthOffset..], (uint)packet.WireLength);
            BinaryPrimitives.WriteUInt32LittleEndian(record[CapturedLengthOffset..], (uint)frame.Length);
            frame.CopyTo(record[RecordHeaderSize..]);
            at += RecordHeaderSize + frame.Length;
        }
        return at;
    }

    /// <summary>
    /// Reads a whole slice: checks its hash, header and every record before returning any packet.
    /// </summary>
    /// <exception cref="PacketSliceException">The bytes are not the slice <paramref name="reference"/> names; the message says what and where.</exception>
    public static IReadOnlyList<SlicePacket> Read(ReadOnlyMemory<byte> slice, SliceRef reference, string blobName)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var span = slice.Span;
        string where = $"{blobName} @ {reference.Offset}";
        if (span.Length != reference.Length)
        {
            throw new PacketSliceException($"{where}: slice is {span.Length} bytes, its reference says {reference.Length}");
        }
        if (!ContentHash.Matches(span, reference.Sha256))
        {
            throw new PacketSliceException($"{where}: slice hash does not match its reference (the blob changed or is corrupt)");
        }
        if (span.Length < HeaderSize || BinaryPrimitives.ReadUInt16LittleEndian(span) != Magic)
        {
            throw new PacketSliceException($"{where}: not a packet slice (no 'NB' header)");
        }
        if (span[VersionOffset] != Version || span[FlagsOffset] != 0)
        {
            throw new PacketSliceException($"{where}: slice version {span[VersionOffset]} flags 0x{span[FlagsOffset]:X2} not supported (version {Version}, no flags)");
        }
        int shard = BinaryPrimitives.ReadUInt16LittleEndian(span[ShardOffset..]);
        if (shard != reference.Shard)
        {
            throw new PacketSliceException($"{where}: slice is shard {shard}, its reference says {reference.Shard}");
        }
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(span[CountOffset..]);
        if (count != reference.Packets)
        {
            throw new PacketSliceException($"{where}: slice holds {count} packets, its reference says {reference.Packets}");
        }
        long baseSequence = BinaryPrimitives.ReadInt64LittleEndian(span[BaseSequenceOffset..]);
        long baseTimestamp = BinaryPrimitives.ReadInt64LittleEndian(span[BaseTimestampOffset..]);
        long baseIndex = BinaryPrimitives.ReadInt64LittleEndian(span[BaseIndexOffset..]);
        var packets = new SlicePacket[count];
        int at = HeaderSize;
        for (int i = 0; i < packets.Length; i++)
        {
            if (span.Length - at < RecordHeaderSize)
            {
                throw new PacketSliceException($"{where}: packet {i} of {count}: record header cut at byte {at}");
            }
            var record = span[at..];
            uint captured = BinaryPrimitives.ReadUInt32LittleEndian(record[CapturedLengthOffset..]);
            uint wire = BinaryPrimitives.ReadUInt32LittleEndian(record[WireLengthOffset..]);
            if (captured > MaxFrameLength || captured > span.Length - at - RecordHeaderSize || wire < captured || wire > int.MaxValue)
            {
                throw new PacketSliceException($"{where}: packet {i} of {count} at byte {at}: captured length {captured}, wire length {wire} do not fit");
            }
            packets[i] = new SlicePacket(
                baseSequence + BinaryPrimitives.ReadUInt32LittleEndian(record[SequenceDeltaOffset..]),
                BinaryPrimitives.ReadUInt16LittleEndian(record[PositionOffset..]),
                baseIndex + BinaryPrimitives.ReadUInt32LittleEndian(record[IndexDeltaOffset..]),
                (LinkType)BinaryPrimitives.ReadUInt16LittleEndian(record[LinkTypeOffset..]),
                baseTimestamp + BinaryPrimitives.ReadInt64LittleEndian(record[TimestampDeltaOffset..]),
                (int)wire,
                slice.Slice(at + RecordHeaderSize, (int)captured));
            at += RecordHeaderSize + (int)captured;
        }
        if (at != span.Length)
        {
            throw new PacketSliceException($"{where}: {span.Length - at} bytes after the last of {count} packets");
        }
        return packets;
    }
}

/// <summary>One packet of a slice: where it sits in its partition and capture, and its bytes.</summary>
public readonly record struct SlicePacket(
    long SequenceNumber,
    int PositionInEvent,
    long CaptureIndex,
    LinkType LinkType,
    long TimestampNanos,
    int WireLength,
    ReadOnlyMemory<byte> Frame);

/// <summary>A slice's bytes do not match its reference or the format.</summary>
public sealed class PacketSliceException(string message) : Exception(message);
