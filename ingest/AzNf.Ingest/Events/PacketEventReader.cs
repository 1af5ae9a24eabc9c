using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using AzNf.Partitions;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Events;

/// <summary>
/// Decodes packet event bodies (layout in <see cref="PacketEventFormat"/>). Never throws on the
/// body and never allocates: a malformed body returns a <see cref="PacketEventError"/>, and a
/// body is checked whole before any of its packets enters a batch, so a bad event adds nothing.
/// </summary>
public static class PacketEventReader
{
    /// <summary>Reads and checks the header alone.</summary>
    public static PacketEventError TryReadHeader(ReadOnlySpan<byte> body, out PacketEventHeader header)
    {
        header = default;
        if (body.Length < PacketEventFormat.HeaderLength)
        {
            return PacketEventError.TooShort;
        }
        if (BinaryPrimitives.ReadUInt16LittleEndian(body[PacketEventFormat.MagicOffset..]) != PacketEventFormat.Magic)
        {
            return PacketEventError.BadMagic;
        }
        byte version = body[PacketEventFormat.VersionOffset];
        if (version != PacketEventFormat.Version)
        {
            return PacketEventError.UnsupportedVersion;
        }
        byte flags = body[PacketEventFormat.FlagsOffset];
        if (flags != 0)
        {
            return PacketEventError.UnknownFlags;
        }
        int count = BinaryPrimitives.ReadUInt16LittleEndian(body[PacketEventFormat.CountOffset..]);
        if (count == 0)
        {
            return PacketEventError.NoPackets;
        }
        if (count > PacketEventFormat.MaxPacketsPerEvent)
        {
            return PacketEventError.TooManyPackets;
        }
        header = new PacketEventHeader(
            version,
            flags,
            (LinkType)BinaryPrimitives.ReadUInt16LittleEndian(body[PacketEventFormat.LinkTypeOffset..]),
            count,
            BinaryPrimitives.ReadInt64LittleEndian(body[PacketEventFormat.BaseTimestampOffset..]));
        return PacketEventError.None;
    }

    /// <summary>Checks the whole body: header, every record, no trailing bytes.</summary>
    public static PacketEventError Validate(ReadOnlySpan<byte> body, out PacketEventHeader header)
    {
        var error = TryReadHeader(body, out header);
        if (error != PacketEventError.None)
        {
            return error;
        }
        int offset = PacketEventFormat.HeaderLength;
        for (int i = 0; i < header.PacketCount; i++)
        {
            error = CheckRecord(body, offset, out int captured);
            if (error != PacketEventError.None)
            {
                return error;
            }
            offset += PacketEventFormat.RecordHeaderLength + captured;
        }
        return offset == body.Length ? PacketEventError.None : PacketEventError.TrailingBytes;
    }

    /// <summary>
    /// Checks <paramref name="body"/> and, when it is well formed, appends its packets to
    /// <paramref name="batch"/> in order, each tagged with <paramref name="sequenceNumber"/> and
    /// its position in the event. A malformed body appends nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The batch has no room for the event's packets (check <see cref="PacketEventHeader.PacketCount"/> first).</exception>
    public static PacketEventError TryDecode(ReadOnlySpan<byte> body, long sequenceNumber, PartitionBatch batch) =>
        TryDecode(body, sequenceNumber, batch, skip: 0);

    /// <summary>
    /// As <see cref="TryDecode(ReadOnlySpan{byte}, long, PartitionBatch)"/>, leaving out the first
    /// <paramref name="skip"/> packets (a consumer has them already); the rest keep their positions.
    /// </summary>
    public static PacketEventError TryDecode(ReadOnlySpan<byte> body, long sequenceNumber, PartitionBatch batch, int skip)
    {
        var error = Validate(body, out var header);
        if (error != PacketEventError.None)
        {
            return error;
        }
        if (batch.Count + header.PacketCount - skip > batch.MaxPackets)
        {
            throw new ArgumentException($"the batch has room for {batch.MaxPackets - batch.Count} packets, the event holds {header.PacketCount}: hand the batch on first", nameof(batch));
        }
        int offset = PacketEventFormat.HeaderLength;
        for (int i = 0; i < header.PacketCount; i++)
        {
            var record = body.Slice(offset, PacketEventFormat.RecordHeaderLength);
            long delta = BinaryPrimitives.ReadUInt32LittleEndian(record[PacketEventFormat.DeltaOffset..]);
            int wire = (int)BinaryPrimitives.ReadUInt32LittleEndian(record[PacketEventFormat.WireLengthOffset..]);
            int captured = (int)BinaryPrimitives.ReadUInt32LittleEndian(record[PacketEventFormat.CapturedLengthOffset..]);
            offset += PacketEventFormat.RecordHeaderLength;
            if (i >= skip)
            {
                batch.Add(sequenceNumber, i, header.LinkType, body.Slice(offset, captured), wire, header.BaseTimestampNanos + delta);
            }
            offset += captured;
        }
        return PacketEventError.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static PacketEventError CheckRecord(ReadOnlySpan<byte> body, int offset, out int captured)
    {
        captured = 0;
        if (body.Length - offset < PacketEventFormat.RecordHeaderLength)
        {
            return PacketEventError.RecordTruncated;
        }
        var record = body.Slice(offset, PacketEventFormat.RecordHeaderLength);
        uint wire = BinaryPrimitives.ReadUInt32LittleEndian(record[PacketEventFormat.WireLengthOffset..]);
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(record[PacketEventFormat.CapturedLengthOffset..]);
        if (length > PacketEventFormat.MaxFrameLength)
        {
            return PacketEventError.FrameTooLong;
        }
        if (length > wire)
        {
            return PacketEventError.CapturedLongerThanWire;
        }
        // The wire length goes into an int of the batch.
        if (wire > int.MaxValue)
        {
            return PacketEventError.WireTooLong;
        }
        captured = (int)length;
        return body.Length - offset - PacketEventFormat.RecordHeaderLength < captured ? PacketEventError.FrameTruncated : PacketEventError.None;
    }
}
