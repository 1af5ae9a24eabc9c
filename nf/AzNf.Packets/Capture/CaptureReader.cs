using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Capture;

/// <summary>
/// Streams frames from a classic pcap or pcapng file, the format detected from the magic. One
/// buffer is allocated when the reader opens and reused for every record, so any file size
/// streams in constant memory and steady-state reading allocates nothing.
/// </summary>
/// <remarks>
/// A file that cannot be used at all makes <c>Open</c> throw <see cref="CaptureFormatException"/>.
/// After a usable start, <see cref="TryRead"/> never throws for bad data: it counts a warning
/// in <see cref="Warnings"/> and either skips the damaged record or ends the stream (see
/// docs/capture.md for every reason code).
/// </remarks>
public abstract class CaptureReader : IDisposable
{
    private protected const uint PcapMicrosecondMagic = 0xA1B2C3D4;
    private protected const uint PcapNanosecondMagic = 0xA1B23C4D;
    private protected const uint PcapNgSectionHeaderType = 0x0A0D0D0A;

    // Room for pcapng block framing and options around the largest accepted frame.
    private const int BlockOverhead = 1 << 16;
    private const int MinBufferLength = 1 << 20;

    private protected CaptureReader(CaptureBuffer input, string name, CaptureReaderOptions options)
    {
        Input = input;
        Name = name;
        Options = options;
        Warnings = new CaptureWarnings(options.MaxWarningDetails);
        Defragmenter = new IpDefragmenter(options.Defrag);
    }

    /// <summary>Opens the capture file at <paramref name="path"/>.</summary>
    /// <exception cref="CaptureFormatException">The file is missing, unreadable or not a usable capture.</exception>
    public static CaptureReader Open(string path, CaptureReaderOptions? options = null)
    {
        FileStream stream;
        try
        {
            // No FileStream buffering: the reader's own buffer already batches reads.
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CaptureFormatException(path, 0, $"cannot open file ({e.Message})", e);
        }
        return Open(stream, path, options);
    }

    /// <summary>Reads a capture from <paramref name="stream"/>; <paramref name="name"/> appears in messages.</summary>
    /// <exception cref="CaptureFormatException">The stream does not start as a usable capture.</exception>
    public static CaptureReader Open(Stream stream, string name, CaptureReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new CaptureReaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPacketLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxPacketLength, CaptureReaderOptions.LargestMaxPacketLength);
        var input = new CaptureBuffer(stream, Math.Max(MinBufferLength, options.MaxPacketLength + BlockOverhead), options.LeaveOpen);
        try
        {
            if (!input.TryPeek(4, out var magicBytes))
            {
                throw new CaptureFormatException(name, input.Buffered, "file too short for a capture magic number");
            }
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(magicBytes);
            return magic switch
            {
                PcapMicrosecondMagic or PcapNanosecondMagic => new PcapReader(input, name, options, bigEndian: false),
                _ when BinaryPrimitives.ReverseEndianness(magic) is PcapMicrosecondMagic or PcapNanosecondMagic =>
                    new PcapReader(input, name, options, bigEndian: true),
                PcapNgSectionHeaderType => new PcapNgReader(input, name, options),
                _ => throw new CaptureFormatException(name, 0, $"unknown magic number 0x{magic:X8} (not pcap or pcapng)"),
            };
        }
        catch
        {
            input.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the next frame; false at the end of the capture (or when damage ends it early, with a
    /// warning). <paramref name="record"/>'s data is valid until the next call. IP fragments are
    /// held and their datagram is returned, reassembled, in place of the fragment that completed
    /// it (<see cref="Defragmenter"/>; <see cref="CaptureReaderOptions.Defrag"/> turns it off).
    /// </summary>
    public bool TryRead(out CaptureRecord record)
    {
        while (TryReadRecord(out record))
        {
            switch (Defragmenter.Offer(record.LinkType, record.Data, record.TimestampNanos))
            {
                case DefragResult.NotFragment:
                    return true;
                case DefragResult.Reassembled:
                    var datagram = Defragmenter.Reassembled;
                    record = new CaptureRecord(record.TimestampNanos, datagram.Length, record.LinkType, datagram, record.InterfaceIndex);
                    return true;
            }
        }
        return false;
    }

    /// <summary>Reads the next record as stored in the file.</summary>
    private protected abstract bool TryReadRecord(out CaptureRecord record);

    /// <summary>The IP defragmenter between the file and the caller, with its counters.</summary>
    public IpDefragmenter Defragmenter { get; }

    /// <summary>
    /// What a report lists for this reader: the warning counts, and the defragmenter's counters
    /// that are not zero as <c>defrag:NAME</c>.
    /// </summary>
    public IReadOnlyDictionary<string, long> ReportCounts()
    {
        var counts = new Dictionary<string, long>(Warnings.Counts, StringComparer.Ordinal);
        foreach (var (name, value) in Defragmenter.Counters)
        {
            if (value != 0)
            {
                counts["defrag:" + name] = value;
            }
        }
        return counts;
    }

    /// <summary>The file name or stream name given to <c>Open</c>.</summary>
    public string Name { get; }

    /// <summary>Byte offset of the next unread record (for progress and messages).</summary>
    public long Position => Input.Position;

    /// <summary>The file's length in bytes, or null when the stream cannot tell.</summary>
    public long? Length => Input.Length;

    /// <summary>Problems that did not stop reading.</summary>
    public CaptureWarnings Warnings { get; }

    private protected CaptureBuffer Input { get; }

    private protected CaptureReaderOptions Options { get; }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Input.Dispose();
        }
    }
}
