using System.Buffers;
using System.Buffers.Binary;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>Little-endian writes for flow snapshots and their NF sections, field by field.</summary>
public static class SnapshotWriter
{
    public static void WriteByte(this IBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    public static void WriteUInt16(this IBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    public static void WriteUInt32(this IBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    public static void WriteInt32(this IBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    public static void WriteUInt64(this IBufferWriter<byte> writer, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    public static void WriteInt64(this IBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    /// <summary>An int32 length, then the bytes.</summary>
    public static void WriteBlock(this IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        writer.WriteInt32(bytes.Length);
        writer.Write(bytes);
    }
}

/// <summary>Bounds-checked little-endian reads; a short or inconsistent blob is <see cref="InvalidDataException"/>.</summary>
public ref struct SnapshotReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _offset;

    public readonly bool AtEnd => _offset == _data.Length;

    public readonly int Offset => _offset;

    public readonly int Remaining => _data.Length - _offset;

    public byte Byte() => Take(1)[0];

    public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>A length or count: never negative, never more than the bytes left.</summary>
    public int Length()
    {
        int length = Int32();
        if (length < 0)
        {
            throw new InvalidDataException($"negative length {length} at byte {_offset - 4}");
        }
        return length <= Remaining
            ? length
            : throw new InvalidDataException($"truncated: length {length} at byte {_offset - 4} runs past the end of the {_data.Length}-byte blob");
    }

    /// <summary>What <see cref="SnapshotWriter.WriteBlock"/> wrote.</summary>
    public ReadOnlySpan<byte> Block() => Take(Length());

    public ReadOnlySpan<byte> Bytes(int count) => Take(count);

    /// <summary>Throws unless every byte was read.</summary>
    public readonly void EnsureEnd()
    {
        if (!AtEnd)
        {
            throw new InvalidDataException($"{Remaining} bytes after the end");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new InvalidDataException($"truncated at byte {_offset} of {_data.Length}");
        }
        var span = _data.Slice(_offset, count);
        _offset += count;
        return span;
    }
}
