using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Capture;

/// <summary>
/// pcapng (draft-ietf-opsawg-pcapng): sections each opened by a Section Header Block that sets
/// the byte order, Interface Description Blocks numbered per section, and Enhanced / Simple
/// Packet Blocks. Every other block type (name resolution, statistics, decryption secrets,
/// custom, obsolete Packet Block) is skipped by its length.
/// </summary>
internal sealed class PcapNgReader : CaptureReader
{
    private const uint InterfaceDescriptionType = 0x00000001;
    private const uint SimplePacketType = 0x00000003;
    private const uint EnhancedPacketType = 0x00000006;
    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const int BlockFramingLength = 12; // type, total length, trailing total length
    private const int SectionHeaderMinLength = 28;
    private const int InterfaceFixedLength = 8;
    private const int EnhancedFixedLength = 20;
    private const int SimpleFixedLength = 4;
    private const ushort SupportedMajorVersion = 1;
    private const ushort OptionEnd = 0;
    private const ushort OptionTimestampResolution = 9;
    private const ushort OptionTimestampOffset = 14;

    private readonly List<PcapNgInterface> _interfaces = [];
    private bool _bigEndian;
    private bool _ended;

    public PcapNgReader(CaptureBuffer input, string name, CaptureReaderOptions options)
        : base(input, name, options)
    {
        long position = input.Position;
        var failure = ReadSectionHeader();
        if (failure is { } f)
        {
            throw new CaptureFormatException(name, position, $"{f.Code}: {f.Detail}");
        }
    }

    private protected override bool TryReadRecord(out CaptureRecord record)
    {
        record = default;
        while (!_ended)
        {
            long position = Input.Position;
            if (!Input.TryPeek(8, out var head))
            {
                if (Input.Buffered > 0)
                {
                    Warnings.Add("pcapng-truncated-block", position, "block header cut after {0} of 8 bytes", Input.Buffered);
                }
                return End();
            }
            uint type = ReadUInt32(head);
            if (type == PcapNgSectionHeaderType)
            {
                if (ReadSectionHeader() is { } f)
                {
                    Warnings.Add(f.Code, position, f.Detail);
                    return End();
                }
                continue;
            }
            uint length = ReadUInt32(head[4..]);
            if (length < BlockFramingLength || length % 4 != 0)
            {
                // Without a trustworthy length there is no way to find the next block.
                Warnings.Add("pcapng-bad-block-length", position, "block length {0} is below 12 or not a multiple of 4", length);
                return End();
            }
            if (length > Input.Capacity)
            {
                SkipOversizedBlock(type, length, position);
                continue;
            }
            if (!Input.TryPeek((int)length, out var block))
            {
                Warnings.Add("pcapng-truncated-block", position, "block cut after {0} of {1} bytes", Input.Buffered, length);
                return End();
            }
            uint trailing = ReadUInt32(block[^4..]);
            if (trailing != length)
            {
                Warnings.Add("pcapng-block-length-mismatch", position, "leading length {0} but trailing length {1}", length, trailing);
                return End();
            }
            var body = block[8..^4];
            bool produced = type switch
            {
                InterfaceDescriptionType => AddInterface(body, position),
                EnhancedPacketType => TryEnhancedPacket(body, position, out record),
                SimplePacketType => TrySimplePacket(body, position, out record),
                _ => false,
            };
            Input.Advance((int)length);
            if (produced)
            {
                return true;
            }
        }
        return false;
    }

    private bool TryEnhancedPacket(ReadOnlySpan<byte> body, long position, out CaptureRecord record)
    {
        record = default;
        if (body.Length < EnhancedFixedLength)
        {
            Warnings.Add("pcapng-bad-block", position, "enhanced packet block body of {0} bytes is shorter than {1}", body.Length, EnhancedFixedLength);
            return false;
        }
        uint interfaceId = ReadUInt32(body);
        ulong units = ((ulong)ReadUInt32(body[4..]) << 32) | ReadUInt32(body[8..]);
        uint captured = ReadUInt32(body[12..]);
        uint original = ReadUInt32(body[16..]);
        if (captured > body.Length - EnhancedFixedLength)
        {
            Warnings.Add("pcapng-bad-block", position, "captured length {0} overruns the block's {1} data bytes", captured, body.Length - EnhancedFixedLength);
            return false;
        }
        if (!TryInterface(interfaceId, position, out var source))
        {
            return false;
        }
        return TryMakeRecord(source, (int)interfaceId, units, captured, original, body.Slice(EnhancedFixedLength, (int)captured), position, out record);
    }

    // RFC draft §4.4: an SPB belongs to interface 0 and its captured length is the smaller of the
    // original length and that interface's snap length; it carries no timestamp.
    private bool TrySimplePacket(ReadOnlySpan<byte> body, long position, out CaptureRecord record)
    {
        record = default;
        if (body.Length < SimpleFixedLength)
        {
            Warnings.Add("pcapng-bad-block", position, "simple packet block body of {0} bytes is shorter than {1}", body.Length, SimpleFixedLength);
            return false;
        }
        if (!TryInterface(0, position, out var source))
        {
            return false;
        }
        uint original = ReadUInt32(body);
        uint captured = Math.Min(original, (uint)(body.Length - SimpleFixedLength));
        if (source.SnapLength > 0)
        {
            captured = Math.Min(captured, source.SnapLength);
        }
        return TryMakeRecord(source, 0, 0, captured, original, body.Slice(SimpleFixedLength, (int)captured), position, out record);
    }

    private bool TryInterface(uint interfaceId, long position, out PcapNgInterface source)
    {
        if (interfaceId < (uint)_interfaces.Count && _interfaces[(int)interfaceId].IsUsable)
        {
            source = _interfaces[(int)interfaceId];
            return true;
        }
        source = default;
        Warnings.Add("pcapng-unknown-interface", position, "packet for interface {0}, but the section declares {1} usable interface(s)", interfaceId, _interfaces.Count);
        return false;
    }

    private bool TryMakeRecord(
        PcapNgInterface source, int interfaceId, ulong units, uint captured, uint original, ReadOnlySpan<byte> data, long position, out CaptureRecord record)
    {
        record = default;
        if (captured > (uint)Options.MaxPacketLength)
        {
            Warnings.Add("pcapng-caplen-exceeds-max", position, "captured length {0} exceeds the maximum {1}", captured, Options.MaxPacketLength);
            return false;
        }
        if (source.SnapLength > 0 && captured > source.SnapLength)
        {
            Warnings.Add("pcapng-caplen-exceeds-snaplen", position, "captured length {0} exceeds the interface's snap length {1}", captured, source.SnapLength);
        }
        if (original < captured)
        {
            Warnings.Add("pcapng-origlen-below-caplen", position, "original length {0} is less than captured length {1}", original, captured);
            original = captured;
        }
        record = new CaptureRecord(source.ToNanos(units), (int)Math.Min(original, int.MaxValue), source.LinkType, data, interfaceId);
        return true;
    }

    private bool AddInterface(ReadOnlySpan<byte> body, long position)
    {
        if (body.Length < InterfaceFixedLength)
        {
            // Keep the numbering: later packets name interfaces by their index in the section.
            _interfaces.Add(PcapNgInterface.Unusable);
            Warnings.Add("pcapng-bad-block", position, "interface description body of {0} bytes is shorter than {1}", body.Length, InterfaceFixedLength);
            return false;
        }
        var description = PcapNgInterface.Default((LinkType)ReadUInt16(body), ReadUInt32(body[4..]));
        var options = body[InterfaceFixedLength..];
        while (options.Length >= 4)
        {
            ushort code = ReadUInt16(options);
            int length = ReadUInt16(options[2..]);
            if (code == OptionEnd)
            {
                break;
            }
            int padded = (length + 3) & ~3;
            if (4 + padded > options.Length)
            {
                Warnings.Add("pcapng-bad-option", position, "option {0} of {1} bytes overruns the block", code, length);
                break;
            }
            var value = options.Slice(4, length);
            if (code == OptionTimestampResolution && length == 1)
            {
                description = WithResolution(description, value[0], position);
            }
            else if (code == OptionTimestampOffset && length == 8)
            {
                description = description with { OffsetNanos = unchecked(ReadInt64(value) * 1_000_000_000L) };
            }
            options = options[(4 + padded)..];
        }
        _interfaces.Add(description);
        return false;
    }

    // if_tsresol: top bit clear → 10^-v seconds, set → 2^-(v & 0x7F) seconds (RFC draft §4.2).
    private PcapNgInterface WithResolution(in PcapNgInterface description, byte resolution, long position)
    {
        int exponent = resolution & 0x7F;
        if ((resolution & 0x80) != 0)
        {
            if (exponent <= 63)
            {
                return description with { BinaryShift = exponent };
            }
        }
        else if (exponent <= 18)
        {
            return exponent <= 9
                ? description with { Multiplier = Pow10(9 - exponent), Divisor = 1 }
                : description with { Multiplier = 1, Divisor = Pow10(exponent - 9) };
        }
        Warnings.Add("pcapng-bad-option", position, "if_tsresol 0x{0:X2} is out of range; microseconds assumed", resolution);
        return description;

        static long Pow10(int exponent)
        {
            long value = 1;
            for (int i = 0; i < exponent; i++)
            {
                value *= 10;
            }
            return value;
        }
    }

    private void SkipOversizedBlock(uint type, uint length, long position)
    {
        // Larger than the buffer: nothing in it can become a record, but its interface must still
        // be numbered. Skip it by its length, then check the trailing copy of the length.
        if (type == InterfaceDescriptionType)
        {
            if (Input.TryPeek(8 + InterfaceFixedLength, out var fixedPart))
            {
                _interfaces.Add(PcapNgInterface.Default((LinkType)ReadUInt16(fixedPart[8..]), ReadUInt32(fixedPart[12..])));
            }
            Warnings.Add("pcapng-block-too-large", position, "interface block of {0} bytes exceeds the buffer of {1}; options ignored", length, Input.Capacity);
        }
        else if (type == EnhancedPacketType && Input.TryPeek(8 + EnhancedFixedLength, out var epb) && ReadUInt32(epb[20..]) > (uint)Options.MaxPacketLength)
        {
            Warnings.Add("pcapng-caplen-exceeds-max", position, "captured length {0} exceeds the maximum {1}", ReadUInt32(epb[20..]), Options.MaxPacketLength);
        }
        else if (type is EnhancedPacketType or SimplePacketType)
        {
            Warnings.Add("pcapng-block-too-large", position, "packet block of {0} bytes exceeds the buffer of {1}", length, Input.Capacity);
        }
        if (!Input.TrySkip(length - 4) || !Input.TryPeek(4, out var trailingBytes))
        {
            Warnings.Add("pcapng-truncated-block", position, "block of {0} bytes cut by the end of the file", length);
            End();
            return;
        }
        uint trailing = ReadUInt32(trailingBytes);
        if (trailing != length)
        {
            Warnings.Add("pcapng-block-length-mismatch", position, "leading length {0} but trailing length {1}", length, trailing);
            End();
            return;
        }
        Input.Advance(4);
    }

    /// <summary>Reads the SHB at the current position; returns the failure that stops reading, if any.</summary>
    private (string Code, string Detail)? ReadSectionHeader()
    {
        if (!Input.TryPeek(SectionHeaderMinLength, out var head))
        {
            return ("pcapng-truncated-block", $"section header block cut after {Input.Buffered} of at least {SectionHeaderMinLength} bytes");
        }
        uint byteOrder = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
        if (byteOrder == ByteOrderMagic)
        {
            _bigEndian = false;
        }
        else if (byteOrder == BinaryPrimitives.ReverseEndianness(ByteOrderMagic))
        {
            _bigEndian = true;
        }
        else
        {
            return ("pcapng-bad-byte-order", $"byte-order magic 0x{byteOrder:X8} is neither 0x1A2B3C4D nor its reverse");
        }
        uint length = ReadUInt32(head[4..]);
        if (length < SectionHeaderMinLength || length % 4 != 0)
        {
            return ("pcapng-bad-block-length", $"section header length {length} is below {SectionHeaderMinLength} or not a multiple of 4");
        }
        ushort major = ReadUInt16(head[12..]);
        ushort minor = ReadUInt16(head[14..]);
        if (major != SupportedMajorVersion)
        {
            return ("pcapng-unsupported-version", $"section version {major}.{minor} (only 1.x)");
        }
        _interfaces.Clear();
        if (length > Input.Capacity)
        {
            // Only options (e.g. a long comment) can make an SHB this large; skip them.
            if (!Input.TrySkip(length - 4) || !Input.TryPeek(4, out var trailingBytes))
            {
                return ("pcapng-truncated-block", $"section header block of {length} bytes cut by the end of the file");
            }
            return CheckTrailing(ReadUInt32(trailingBytes), length, 4);
        }
        if (!Input.TryPeek((int)length, out var block))
        {
            return ("pcapng-truncated-block", $"section header block cut after {Input.Buffered} of {length} bytes");
        }
        return CheckTrailing(ReadUInt32(block[^4..]), length, (int)length);
    }

    private (string Code, string Detail)? CheckTrailing(uint trailing, uint length, int advance)
    {
        if (trailing != length)
        {
            return ("pcapng-block-length-mismatch", $"section header leading length {length} but trailing length {trailing}");
        }
        Input.Advance(advance);
        return null;
    }

    private bool End()
    {
        _ended = true;
        return false;
    }

    private uint ReadUInt32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private ushort ReadUInt16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private long ReadInt64(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(bytes) : BinaryPrimitives.ReadInt64LittleEndian(bytes);
}
