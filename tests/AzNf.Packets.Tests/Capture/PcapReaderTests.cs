using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Tests.Capture;

public sealed class PcapReaderTests
{
    private static readonly byte[] FrameA = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    private static readonly byte[] FrameB = [0xAA, 0xBB, 0xCC];

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Pcap_EitherMagicEitherByteOrder_ReadsRecordsAndTimestamps(bool bigEndian, bool nanoseconds)
    {
        var file = new PcapFileBuilder(bigEndian, nanoseconds, linkTypeField: 101)
            .Record(1_700_000_000, 123_456, FrameA, originalLength: 60)
            .Record(1_700_000_001, 999_999, FrameB)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        long unit = nanoseconds ? 1 : 1000;
        Assert.Equal(2, frames.Count);
        Assert.Equal((1_700_000_000L * 1_000_000_000L) + (123_456 * unit), frames[0].TimestampNanos);
        Assert.Equal((1_700_000_001L * 1_000_000_000L) + (999_999 * unit), frames[1].TimestampNanos);
        Assert.Equal(FrameA, frames[0].Data);
        Assert.Equal(FrameB, frames[1].Data);
        Assert.Equal(60, frames[0].OriginalLength);
        Assert.Equal(3, frames[1].OriginalLength);
        Assert.All(frames, f => Assert.Equal(LinkType.Raw, f.LinkType));
        Assert.All(frames, f => Assert.Equal(0, f.InterfaceIndex));
        Assert.Equal(0, warnings.Total);
    }

    [Fact]
    public void Pcap_LinkTypeWithFcsBits_MasksThemOff()
    {
        // FCS len 4 (bits 28-31) and the P bit (26) set around LINKTYPE_ETHERNET.
        uint field = (4u << 28) | (1u << 26) | 1u;
        var file = new PcapFileBuilder(linkTypeField: field).Record(1, 0, FrameA).ToArray();

        var frames = CapturedFrame.ReadAll(file);

        Assert.Equal(LinkType.Ethernet, Assert.Single(frames).LinkType);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PcapWriter_RoundTrip_ReadsBackWhatWasWritten(bool nanoseconds)
    {
        var a = NetAddress.Parse("10.0.0.1");
        var b = NetAddress.Parse("10.0.0.2");
        var written = new List<(long Time, byte[] Data)>();
        for (int i = 0; i < 50; i++)
        {
            long time = 1_700_000_000_000_000_000L + (i * 1_234_567L);
            written.Add((nanoseconds ? time : time / 1000 * 1000, PacketBuilder.Udp(a, (ushort)(1000 + i), b, 53, new byte[i])));
        }
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, nanoseconds))
        {
            foreach (var (time, data) in written)
            {
                writer.Write(time, data);
            }
        }

        var frames = CapturedFrame.ReadAll(stream.ToArray());

        Assert.Equal(written.Count, frames.Count);
        for (int i = 0; i < written.Count; i++)
        {
            Assert.Equal(written[i].Time, frames[i].TimestampNanos);
            Assert.Equal(written[i].Data, frames[i].Data);
            Assert.Equal(written[i].Data.Length, frames[i].OriginalLength);
            Assert.Equal(LinkType.Ethernet, frames[i].LinkType);
        }
    }

    [Fact]
    public void Open_MissingFile_ThrowsNamingTheFile()
    {
        string path = Path.Combine(Path.GetTempPath(), "aznf-no-such-file-" + Guid.NewGuid() + ".pcap");

        var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("at byte 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_WrongMagic_ThrowsWithNameAndPosition()
    {
        byte[] file = [.. "GIF89a"u8, .. new byte[40]];

        var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(new MemoryStream(file), "picture.gif"));

        Assert.Equal("picture.gif", error.FileName);
        Assert.Equal(0, error.Position);
        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_FileHeaderTruncatedAtEveryLength_Throws()
    {
        var file = new PcapFileBuilder().ToArray();

        for (int length = 0; length < 24; length++)
        {
            var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(new MemoryStream(file[..length]), "cut.pcap"));

            Assert.Equal(length, error.Position);
            Assert.Contains("cut.pcap", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Open_UnsupportedMajorVersion_Throws()
    {
        var file = new PcapFileBuilder(major: 3).Record(1, 0, FrameA).ToArray();

        var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(new MemoryStream(file), "v3.pcap"));

        Assert.Equal(4, error.Position);
        Assert.Contains("version 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_CaplenAboveSnaplenButPlausible_ReadsRecordAndCountsWarning()
    {
        var file = new PcapFileBuilder(snapLength: 8).Record(1, 0, FrameA).Record(2, 0, FrameB).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(2, frames.Count);
        Assert.Equal(FrameA, frames[0].Data);
        Assert.Equal(1, warnings.CountOf("pcap-caplen-exceeds-snaplen"));
        Assert.Equal(24, Assert.Single(warnings.Details).Position);
    }

    [Fact]
    public void TryRead_CaplenAboveMaximum_EndsStreamWithWarning()
    {
        var file = new PcapFileBuilder()
            .Record(1, 0, FrameA)
            .Record(2, 0, FrameB, capturedLengthField: 0x7FFF_FFF0)
            .Record(3, 0, FrameA)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Single(frames);
        var warning = Assert.Single(warnings.Details);
        Assert.Equal("pcap-caplen-exceeds-max", warning.Code);
        Assert.Equal(24 + 16 + FrameA.Length, warning.Position);
    }

    [Fact]
    public void TryRead_OriginalLengthBelowCaptured_UsesCapturedAndWarns()
    {
        var file = new PcapFileBuilder().Record(1, 0, FrameA, originalLength: 4).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(FrameA.Length, Assert.Single(frames).OriginalLength);
        Assert.Equal(1, warnings.CountOf("pcap-origlen-below-caplen"));
    }

    [Fact]
    public void TryRead_TruncatedLastRecord_ReturnsEarlierRecordsAndWarns()
    {
        var full = new PcapFileBuilder().Record(1, 0, FrameA).Record(2, 0, FrameA).ToArray();
        var file = full[..^3];

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Single(frames);
        var warning = Assert.Single(warnings.Details);
        Assert.Equal("pcap-truncated-record", warning.Code);
        Assert.Equal(24 + 16 + FrameA.Length, warning.Position);
    }

    [Fact]
    public void TryRead_TruncatedAtEveryOffset_NeverThrowsAndYieldsPrefix()
    {
        var builder = new PcapFileBuilder(bigEndian: true, nanoseconds: true);
        for (int i = 0; i < 6; i++)
        {
            builder.Record((uint)i, (uint)i, FrameA.AsSpan(0, 5 + i));
        }
        var file = builder.ToArray();
        var all = CapturedFrame.ReadAll(file);

        for (int length = 24; length <= file.Length; length++)
        {
            var frames = CapturedFrame.ReadAll(file[..length], out var warnings);

            Assert.True(frames.Count <= all.Count);
            Assert.All(frames.Select((f, i) => (f, i)), p => Assert.True(p.f.SameAs(all[p.i])));
            bool atBoundary = frames.Sum(f => 16 + f.Data.Length) + 24 == length;
            Assert.Equal(atBoundary ? 0 : 1, warnings.CountOf("pcap-truncated-record"));
        }
    }

    [Fact]
    public void TryRead_NonSeekableStream_ReadsAllRecords()
    {
        var file = new PcapFileBuilder().Record(1, 0, FrameA).Record(2, 0, FrameB).ToArray();
        using var reader = CaptureReader.Open(new NonSeekableStream(file), "pipe");

        var frames = CapturedFrame.ReadAll(reader);

        Assert.Equal(2, frames.Count);
        Assert.Null(reader.Length);
        Assert.Equal(file.Length, reader.Position);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(int.MaxValue)]
    public void Open_MaxPacketLengthOutOfRange_RejectedAtOpen(int maxPacketLength)
    {
        var file = new PcapFileBuilder().Record(1, 0, FrameA).ToArray();

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            CaptureReader.Open(new MemoryStream(file), "options.pcap", new CaptureReaderOptions { MaxPacketLength = maxPacketLength }));
    }
}
