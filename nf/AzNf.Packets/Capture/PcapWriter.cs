using AzNf.Packets.Parsing;

namespace AzNf.Packets.Capture;

/// <summary>Writes a classic pcap file.</summary>
public sealed class PcapWriter : IDisposable
{
    public PcapWriter(Stream stream, LinkType linkType, bool nanosecondTimestamps = false, int snapLength = 262_144) => throw new NotImplementedException();

    public void Write(long timestampNanos, ReadOnlySpan<byte> data, int originalLength = -1) => throw new NotImplementedException();

    public void Dispose()
    {
    }
}
