namespace AzNf.Packets.Capture;

/// <summary>Limits applied while reading a capture.</summary>
public sealed record CaptureReaderOptions
{
    /// <summary>The upper bound for <see cref="MaxPacketLength"/>: the reader's one buffer must hold a whole record.</summary>
    public const int LargestMaxPacketLength = 64 << 20;

    /// <summary>
    /// The largest captured frame accepted (libpcap's own limit is 262,144). A record claiming
    /// more is treated as corrupt framing, not as a frame to buffer.
    /// </summary>
    public int MaxPacketLength { get; init; } = 262_144;

    /// <summary>How many warnings keep their position and detail; beyond that only counts grow.</summary>
    public int MaxWarningDetails { get; init; } = 100;

    /// <summary>IP defragmentation of the frames read (on, with Suricata's limits, by default).</summary>
    public Parsing.DefragOptions Defrag { get; init; } = new();

    /// <summary>Leave the stream open when the reader is disposed (for <see cref="CaptureReader.Open(Stream, string, CaptureReaderOptions?)"/>).</summary>
    public bool LeaveOpen { get; init; }
}
