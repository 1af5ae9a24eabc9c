using System.Buffers.Binary;

namespace AzNf.Packets.Tests.Capture;

/// <summary>
/// Hand-builds pcapng bytes block by block (draft-ietf-opsawg-pcapng), each section in its own
/// byte order, including blocks that are wrong on purpose.
/// </summary>
internal sealed class PcapNgFileBuilder
{
    public const uint SectionHeader = 0x0A0D0D0A;
    public const uint InterfaceDescription = 1;
    public const uint SimplePacket = 3;
    public const uint NameResolution = 4;
    public const uint InterfaceStatistics = 5;
    public const uint EnhancedPacket = 6;
    public const uint DecryptionSecrets = 0x0A;
    public const uint Custom = 0xBAD;

    private readonly MemoryStream _bytes = new();
    private bool _bigEndian;

    public PcapNgFileBuilder Section(bool bigEndian = false, ushort major = 1, uint byteOrderMagic = 0x1A2B3C4D)
    {
        _bigEndian = bigEndian;
        var body = new byte[16];
        Write32(body, byteOrderMagic);
        Write16(body.AsSpan(4), major);
        Write16(body.AsSpan(6), 0);
        Write64(body.AsSpan(8), ulong.MaxValue); // section length unknown
        return Block(SectionHeader, body);
    }

    /// <summary>An IDB; <paramref name="tsresol"/> and <paramref name="tsoffsetSeconds"/> become options when given.</summary>
    public PcapNgFileBuilder Interface(ushort linkType, uint snapLength = 0, byte? tsresol = null, long? tsoffsetSeconds = null)
    {
        var body = new MemoryStream();
        var fixedPart = new byte[8];
        Write16(fixedPart, linkType);
        Write32(fixedPart.AsSpan(4), snapLength);
        body.Write(fixedPart);
        if (tsresol is { } resolution)
        {
            body.Write(Option(9, [resolution]));
        }
        if (tsoffsetSeconds is { } offset)
        {
            var value = new byte[8];
            Write64(value, (ulong)offset);
            body.Write(Option(14, value));
        }
        if (tsresol is not null || tsoffsetSeconds is not null)
        {
            body.Write(Option(0, []));
        }
        return Block(InterfaceDescription, body.ToArray());
    }

    public PcapNgFileBuilder Enhanced(uint interfaceId, ulong timestampUnits, ReadOnlySpan<byte> data, int originalLength = -1, int capturedLengthField = -1)
    {
        var body = new byte[20 + Pad(data.Length)];
        Write32(body, interfaceId);
        Write32(body.AsSpan(4), (uint)(timestampUnits >> 32));
        Write32(body.AsSpan(8), (uint)timestampUnits);
        Write32(body.AsSpan(12), capturedLengthField < 0 ? (uint)data.Length : (uint)capturedLengthField);
        Write32(body.AsSpan(16), originalLength < 0 ? (uint)data.Length : (uint)originalLength);
        data.CopyTo(body.AsSpan(20));
        return Block(EnhancedPacket, body);
    }

    public PcapNgFileBuilder Simple(ReadOnlySpan<byte> data, int originalLength = -1)
    {
        var body = new byte[4 + Pad(data.Length)];
        Write32(body, originalLength < 0 ? (uint)data.Length : (uint)originalLength);
        data.CopyTo(body.AsSpan(4));
        return Block(SimplePacket, body);
    }

    /// <summary>Any block; <paramref name="lengthField"/>/<paramref name="trailingField"/> override the computed total length.</summary>
    public PcapNgFileBuilder Block(uint type, ReadOnlySpan<byte> body, long lengthField = -1, long trailingField = -1)
    {
        uint length = (uint)(12 + body.Length);
        Span<byte> word = stackalloc byte[4];
        Write32(word, type);
        _bytes.Write(word);
        Write32(word, lengthField < 0 ? length : (uint)lengthField);
        _bytes.Write(word);
        _bytes.Write(body);
        Write32(word, trailingField < 0 ? length : (uint)trailingField);
        _bytes.Write(word);
        return this;
    }

    public PcapNgFileBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public long Length => _bytes.Length;

    public byte[] ToArray() => _bytes.ToArray();

    private static int Pad(int length) => (length + 3) & ~3;

    private byte[] Option(ushort code, byte[] value)
    {
        var option = new byte[4 + Pad(value.Length)];
        Write16(option, code);
        Write16(option.AsSpan(2), (ushort)value.Length);
        value.CopyTo(option, 4);
        return option;
    }

    private void Write16(Span<byte> destination, ushort value)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, value);
        }
    }

    private void Write32(Span<byte> destination, uint value)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
        }
    }

    private void Write64(Span<byte> destination, ulong value)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination, value);
        }
    }
}
