using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Capture;

/// <summary>
/// Writes a classic pcap file (little-endian, version 2.4), with microsecond or nanosecond
/// timestamps. Frames longer than the snap length are cut to it, as a capture would.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    public const uint MicrosecondMagic = 0xA1B2C3D4;
    public const uint NanosecondMagic = 0xA1B23C4D;
    private const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    private readonly Stream _stream;
    private readonly bool _nanoseconds;
    private readonly int _snapLength;
    private readonly byte[] _header = new byte[RecordHeaderLength];

    public PcapWriter(Stream stream, LinkType linkType, bool nanosecondTimestamps = false, int snapLength = 262_144)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(snapLength, 1);
        _stream = stream;
        _nanoseconds = nanosecondTimestamps;
        _snapLength = snapLength;
        Span<byte> header = stackalloc byte[FileHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, nanosecondTimestamps ? NanosecondMagic : MicrosecondMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)linkType);
        _stream.Write(header);
    }

    /// <summary>Opens <paramref name="path"/> for writing (replacing it).</summary>
    public static PcapWriter Create(string path, LinkType linkType, bool nanosecondTimestamps = false) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16), linkType, nanosecondTimestamps);

    /// <summary>Appends one frame; <paramref name="originalLength"/> defaults to the data's length.</summary>
    public void Write(long timestampNanos, ReadOnlySpan<byte> data, int originalLength = -1)
    {
        int captured = Math.Min(data.Length, _snapLength);
        long seconds = Math.DivRem(timestampNanos, 1_000_000_000L, out long fraction);
        BinaryPrimitives.WriteUInt32LittleEndian(_header, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), (uint)(_nanoseconds ? fraction : fraction / 1000));
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(8), captured);
        BinaryPrimitives.WriteInt32LittleEndian(_header.AsSpan(12), originalLength < 0 ? data.Length : originalLength);
        _stream.Write(_header);
        _stream.Write(data[..captured]);
    }

    public void Dispose() => _stream.Dispose();
}
