using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Tests.Capture;

public sealed class CaptureStreamingTests
{
    [Fact]
    public void TryRead_CaptureFarLargerThanBuffer_ReadsInConstantMemory()
    {
        // 200 MB of records through a non-seekable stream: whatever the reader allocates must
        // stay near its one buffer (~1.3 MB), not grow with the capture.
        const int FrameLength = 1500;
        const long Count = 200L * 1024 * 1024 / (16 + FrameLength);
        using var stream = new SyntheticPcapStream(Count, FrameLength);
        long before = GC.GetAllocatedBytesForCurrentThread();

        long records = 0;
        long bytes = 0;
        using (var reader = CaptureReader.Open(stream, "synthetic"))
        {
            while (reader.TryRead(out var record))
            {
                records++;
                bytes += record.Data.Length;
            }
            Assert.Equal(0, reader.Warnings.Total);
            Assert.Equal(stream.TotalLength, reader.Position);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(Count, records);
        Assert.Equal(Count * FrameLength, bytes);
        Assert.InRange(allocated, 0, 2 * 1024 * 1024);
    }

    [Fact]
    public void PcapNg_OversizedBlockOnNonSeekableStream_SkippedByReading()
    {
        var file = new PcapNgFileBuilder()
            .Section()
            .Interface(1)
            .Block(PcapNgFileBuilder.Custom, new byte[3 << 20])
            .Enhanced(0, 1, [1, 2, 3])
            .ToArray();
        using var reader = CaptureReader.Open(new NonSeekableStream(file), "pipe.pcapng");

        var frames = CapturedFrame.ReadAll(reader);

        Assert.Equal([1, 2, 3], Assert.Single(frames).Data);
        Assert.Equal(0, reader.Warnings.Total);
    }

    [Fact]
    public void PcapNg_OversizedInterfaceBlock_StillNumbersTheInterface()
    {
        var body = new byte[(2 << 20) + 8];
        body[0] = 101; // LINKTYPE_RAW, little-endian; the rest is one huge unknown option
        body[8] = 0x99;
        body[10] = 0xF8;
        body[11] = 0xFF;
        var file = new PcapNgFileBuilder()
            .Section()
            .Block(PcapNgFileBuilder.InterfaceDescription, body)
            .Interface(1)
            .Enhanced(1, 1, [7])
            .Enhanced(0, 1, [8])
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal([LinkType.Ethernet, LinkType.Raw], frames.Select(f => f.LinkType));
        Assert.Equal(1, warnings.CountOf("pcapng-block-too-large"));
    }

    [Fact]
    public void PcapNg_InterfaceBlockTooShort_KeepsNumberingAndSkipsItsPackets()
    {
        var file = new PcapNgFileBuilder()
            .Section()
            .Block(PcapNgFileBuilder.InterfaceDescription, new byte[4])
            .Interface(113)
            .Enhanced(0, 1, [7])
            .Enhanced(1, 1, [8])
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        var frame = Assert.Single(frames);
        Assert.Equal((LinkType.LinuxSll, 1), (frame.LinkType, frame.InterfaceIndex));
        Assert.Equal(1, warnings.CountOf("pcapng-bad-block"));
        Assert.Equal(1, warnings.CountOf("pcapng-unknown-interface"));
    }

    [Fact]
    public void Warnings_ManyOccurrences_KeepFirstDetailsAndCountAll()
    {
        var builder = new PcapFileBuilder(snapLength: 2);
        for (int i = 0; i < 10; i++)
        {
            builder.Record((uint)i, 0, [1, 2, 3]);
        }

        var frames = CapturedFrame.ReadAll(builder.ToArray(), out var warnings, new CaptureReaderOptions { MaxWarningDetails = 3 });

        Assert.Equal(10, frames.Count);
        Assert.Equal(10, warnings.CountOf("pcap-caplen-exceeds-snaplen"));
        Assert.Equal(10, warnings.Total);
        Assert.Equal([24L, 43, 62], warnings.Details.Select(d => d.Position));
    }
}
