using AzNf.Packets.Parsing;

namespace AzNf.Packets.Capture;

/// <summary>
/// One captured frame. <see cref="Data"/> points into the reader's buffer and is valid only
/// until the next read.
/// </summary>
public readonly ref struct CaptureRecord(long timestampNanos, int originalLength, LinkType linkType, ReadOnlySpan<byte> data, int interfaceIndex)
{
    /// <summary>Capture time, nanoseconds since the Unix epoch.</summary>
    public long TimestampNanos { get; } = timestampNanos;

    /// <summary>The frame's length on the wire (may exceed <see cref="Data"/>'s length).</summary>
    public int OriginalLength { get; } = originalLength;

    public LinkType LinkType { get; } = linkType;

    public ReadOnlySpan<byte> Data { get; } = data;

    /// <summary>pcapng interface id; 0 for classic pcap.</summary>
    public int InterfaceIndex { get; } = interfaceIndex;
}
