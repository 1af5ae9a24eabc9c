using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Capture;

/// <summary>
/// Classic libpcap format (draft-ietf-opsawg-pcap): a 24-byte file header, then 16-byte record
/// headers each followed by the captured bytes. Either byte order; microsecond or nanosecond
/// timestamps chosen by the magic.
/// </summary>
internal sealed class PcapReader : CaptureReader
{
    private const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;
    private const ushort SupportedMajorVersion = 2;
    // The top six bits of the link-type field carry FCS information (draft-ietf-opsawg-pcap §4,
    // "FCS len" and the P bit); the link type itself is the low 16 bits.
    private const uint LinkTypeMask = 0xFFFF;

    private readonly bool _bigEndian;
    private readonly long _fractionToNanos;
    private readonly int _snapLength;
    private readonly LinkType _linkType;
    private bool _ended;

    public PcapReader(CaptureBuffer input, string name, CaptureReaderOptions options, bool bigEndian)
        : base(input, name, options)
    {
        _bigEndian = bigEndian;
        if (!input.TryPeek(FileHeaderLength, out var header))
        {
            throw new CaptureFormatException(name, input.Buffered, $"pcap file header truncated ({input.Buffered} of {FileHeaderLength} bytes)");
        }
        uint magic = ReadUInt32(header);
        ushort major = ReadUInt16(header[4..]);
        ushort minor = ReadUInt16(header[6..]);
        if (major != SupportedMajorVersion)
        {
            throw new CaptureFormatException(name, 4, $"unsupported pcap version {major}.{minor} (only 2.x)");
        }
        _fractionToNanos = magic == PcapNanosecondMagic ? 1 : 1000;
        _snapLength = (int)Math.Min(ReadUInt32(header[16..]), int.MaxValue);
        _linkType = (LinkType)(ReadUInt32(header[20..]) & LinkTypeMask);
        input.Advance(FileHeaderLength);
    }

    /// <summary>The link type from the file header (FCS bits masked off).</summary>
    public LinkType LinkType => _linkType;

    /// <summary>The snap length from the file header; 0 means the writer set none.</summary>
    public int SnapLength => _snapLength;

    private protected override bool TryReadRecord(out CaptureRecord record)
    {
        record = default;
        if (_ended)
        {
            return false;
        }
        long position = Input.Position;
        if (!Input.TryPeek(RecordHeaderLength, out var header))
        {
            if (Input.Buffered > 0)
            {
                Warnings.Add("pcap-truncated-record", position, "record header cut after {0} of 16 bytes", Input.Buffered);
            }
            return End();
        }
        uint seconds = ReadUInt32(header);
        uint fraction = ReadUInt32(header[4..]);
        uint captured = ReadUInt32(header[8..]);
        uint original = ReadUInt32(header[12..]);
        if (captured > (uint)Options.MaxPacketLength)
        {
            // A length this large is far more likely a corrupt header than a frame; skipping it
            // would land in the middle of data, so the stream ends here.
            Warnings.Add("pcap-caplen-exceeds-max", position, "captured length {0} exceeds the maximum {1}", captured, Options.MaxPacketLength);
            return End();
        }
        if (_snapLength > 0 && captured > (uint)_snapLength)
        {
            Warnings.Add("pcap-caplen-exceeds-snaplen", position, "captured length {0} exceeds the snap length {1}", captured, _snapLength);
        }
        if (original < captured)
        {
            Warnings.Add("pcap-origlen-below-caplen", position, "original length {0} is less than captured length {1}", original, captured);
            original = captured;
        }
        int total = RecordHeaderLength + (int)captured;
        if (!Input.TryPeek(total, out var bytes))
        {
            Warnings.Add("pcap-truncated-record", position, "record cut after {0} of {1} bytes", Input.Buffered, total);
            return End();
        }
        Input.Advance(total);
        long nanos = (seconds * 1_000_000_000L) + (fraction * _fractionToNanos);
        record = new CaptureRecord(nanos, (int)Math.Min(original, int.MaxValue), _linkType, bytes[RecordHeaderLength..], 0);
        return true;
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
}
