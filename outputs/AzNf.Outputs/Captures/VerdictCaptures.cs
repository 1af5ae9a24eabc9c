using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Outputs.Captures;

/// <summary>What <see cref="VerdictCaptures.Write"/> wrote.</summary>
/// <param name="Forwarded">Packets written to the forwarded capture.</param>
/// <param name="Dropped">Packets written to the dropped capture.</param>
/// <param name="OtherLinkType">Packets left out of both because their link type differs from the capture's first (a pcap file has one).</param>
public sealed record VerdictCaptureCounts(long Forwarded, long Dropped, long OtherLinkType);

/// <summary>
/// The chain's effect as captures Wireshark opens: the input read again in capture order (with
/// the same reader options, so the same packet indexes, reassembled datagrams included), each
/// packet to the forwarded or the dropped file by its verdict. Classic pcap with nanosecond
/// timestamps, the capture's first link type; the original timestamps and wire lengths are kept.
/// </summary>
public static class VerdictCaptures
{
    /// <param name="capturePath">The capture the chain ran over.</param>
    /// <param name="options">The reader options of that run.</param>
    /// <param name="droppedSorted">The indexes of dropped packets, ascending (<see cref="DroppedPackets.Sorted"/>).</param>
    /// <param name="forwardedPath">Where the forwarded packets go, or null.</param>
    /// <param name="droppedPath">Where the dropped packets go, or null.</param>
    /// <param name="framesRun">How many frames the run read (fewer than the capture holds when it was interrupted).</param>
    /// <param name="rewritten">The frames a rewriting stage changed (a NAT's), written to the forwarded capture in place of the frames read; null when the chain rewrites nothing.</param>
    /// <exception cref="IOException">An output cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">An output cannot be written.</exception>
    public static VerdictCaptureCounts Write(string capturePath, CaptureReaderOptions options, long[] droppedSorted, string? forwardedPath, string? droppedPath, long framesRun = long.MaxValue, RewrittenFrames? rewritten = null)
    {
        ArgumentNullException.ThrowIfNull(droppedSorted);
        using var capture = CaptureReader.Open(capturePath, options);
        PcapWriter? forwarded = null, dropped = null;
        long forwardedCount = 0, droppedCount = 0, otherLinkType = 0;
        try
        {
            LinkType? linkType = null;
            int next = 0;
            long index = 0;
            while (index < framesRun && capture.TryRead(out var record))
            {
                index++;
                bool isDropped = next < droppedSorted.Length && droppedSorted[next] == index;
                if (isDropped)
                {
                    next++;
                }
                linkType ??= record.LinkType;
                if (record.LinkType != linkType)
                {
                    otherLinkType++;
                    continue;
                }
                string? path = isDropped ? droppedPath : forwardedPath;
                if (path is null)
                {
                    continue;
                }
                ref var writer = ref isDropped ? ref dropped : ref forwarded;
                writer ??= PcapWriter.Create(path, linkType.Value, nanosecondTimestamps: true);
                if (!isDropped && rewritten is not null && rewritten.TryTake(index, out byte[] frame))
                {
                    // A translation changes header fields only: the wire length stays the packet's.
                    writer.Write(record.TimestampNanos, frame, record.OriginalLength);
                }
                else
                {
                    writer.Write(record.TimestampNanos, record.Data, record.OriginalLength);
                }
                if (isDropped)
                {
                    droppedCount++;
                }
                else
                {
                    forwardedCount++;
                }
            }
            // An empty result is still a valid (empty) capture.
            forwarded ??= forwardedPath is null ? null : PcapWriter.Create(forwardedPath, linkType ?? LinkType.Ethernet, nanosecondTimestamps: true);
            dropped ??= droppedPath is null ? null : PcapWriter.Create(droppedPath, linkType ?? LinkType.Ethernet, nanosecondTimestamps: true);
        }
        finally
        {
            forwarded?.Dispose();
            dropped?.Dispose();
        }
        return new VerdictCaptureCounts(forwardedCount, droppedCount, otherLinkType);
    }
}
