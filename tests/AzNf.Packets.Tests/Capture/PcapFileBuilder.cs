using System.Buffers.Binary;

namespace AzNf.Packets.Tests.Capture;

/// <summary>Hand-builds classic pcap bytes in either byte order, with fields a writer would never produce.</summary>
internal sealed class PcapFileBuilder(bool bigEndian = false, bool nanoseconds = false, uint linkTypeField = 1, uint snapLength = 65535, ushort major = 2)
{
    private readonly MemoryStream _bytes = Header(bigEndian, nanoseconds, linkTypeField, snapLength, major);

    public PcapFileBuilder Record(uint seconds, uint fraction, ReadOnlySpan<byte> data, int originalLength = -1, int capturedLengthField = -1)
    {
        Span<byte> header = stackalloc byte[16];
        Write32(header, seconds);
        Write32(header[4..], fraction);
        Write32(header[8..], capturedLengthField < 0 ? (uint)data.Length : (uint)capturedLengthField);
        Write32(header[12..], originalLength < 0 ? (uint)data.Length : (uint)originalLength);
        _bytes.Write(header);
        _bytes.Write(data);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    private static MemoryStream Header(bool bigEndian, bool nanoseconds, uint linkTypeField, uint snapLength, ushort major)
    {
        var stream = new MemoryStream();
        var header = new byte[24];
        uint magic = nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u;
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header, magic);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), major);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), 4);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), snapLength);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(20), linkTypeField);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header, magic);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), major);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), snapLength);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), linkTypeField);
        }
        stream.Write(header);
        return stream;
    }

    private void Write32(Span<byte> destination, uint value)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        }
    }
}
