using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Tests.Capture;

/// <summary>A copy of one <see cref="CaptureRecord"/>, so tests can compare whole reads.</summary>
internal sealed record CapturedFrame(long TimestampNanos, int OriginalLength, LinkType LinkType, byte[] Data, int InterfaceIndex)
{
    public static List<CapturedFrame> ReadAll(CaptureReader reader)
    {
        var frames = new List<CapturedFrame>();
        while (reader.TryRead(out var record))
        {
            frames.Add(new CapturedFrame(record.TimestampNanos, record.OriginalLength, record.LinkType, record.Data.ToArray(), record.InterfaceIndex));
        }
        return frames;
    }

    public static List<CapturedFrame> ReadAll(byte[] file, CaptureReaderOptions? options = null) => ReadAll(file, out _, options);

    public static List<CapturedFrame> ReadAll(byte[] file, out CaptureWarnings warnings, CaptureReaderOptions? options = null)
    {
        using var reader = CaptureReader.Open(new MemoryStream(file), "test.cap", options);
        var frames = ReadAll(reader);
        warnings = reader.Warnings;
        return frames;
    }

    public bool SameAs(CapturedFrame other) =>
        TimestampNanos == other.TimestampNanos && OriginalLength == other.OriginalLength && LinkType == other.LinkType &&
        InterfaceIndex == other.InterfaceIndex && Data.AsSpan().SequenceEqual(other.Data);
}
