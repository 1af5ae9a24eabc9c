using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Tests.Capture;

public sealed class PcapNgReaderTests
{
    private static readonly byte[] FrameA = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    private static readonly byte[] FrameB = [0xAA, 0xBB, 0xCC, 0xDD];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PcapNg_EnhancedPackets_ReadWithMicrosecondDefault(bool bigEndian)
    {
        var file = new PcapNgFileBuilder()
            .Section(bigEndian)
            .Interface(1)
            .Enhanced(0, 1_700_000_000_123_456UL, FrameA, originalLength: 100)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        var frame = Assert.Single(frames);
        Assert.Equal(1_700_000_000_123_456_000L, frame.TimestampNanos);
        Assert.Equal(FrameA, frame.Data);
        Assert.Equal(100, frame.OriginalLength);
        Assert.Equal(LinkType.Ethernet, frame.LinkType);
        Assert.Equal(0, warnings.Total);
    }

    [Fact]
    public void PcapNg_SectionsInBothByteOrdersWithSeveralInterfaces_NumbersInterfacesPerSection()
    {
        var file = new PcapNgFileBuilder()
            .Section(bigEndian: false)
            .Interface(1)
            .Interface(113)
            .Enhanced(1, 5, FrameA)
            .Enhanced(0, 6, FrameB)
            .Section(bigEndian: true)
            .Interface(276)
            .Enhanced(0, 7, FrameB)
            .Enhanced(1, 8, FrameA) // interface 1 belonged to the previous section
            .Enhanced(0, 9, FrameA)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal([LinkType.LinuxSll, LinkType.Ethernet, LinkType.LinuxSll2, LinkType.LinuxSll2], frames.Select(f => f.LinkType));
        Assert.Equal([1, 0, 0, 0], frames.Select(f => f.InterfaceIndex));
        Assert.Equal([5_000L, 6_000, 7_000, 9_000], frames.Select(f => f.TimestampNanos));
        Assert.Equal(1, warnings.CountOf("pcapng-unknown-interface"));
        Assert.Equal(1, warnings.Total);
    }

    [Theory]
    [InlineData((byte)9, 1_000_000_123UL, 1_000_000_123L)] // nanoseconds
    [InlineData((byte)3, 1_500UL, 1_500_000_000L)] // milliseconds
    [InlineData((byte)0, 2UL, 2_000_000_000L)] // seconds
    [InlineData((byte)12, 5_000_000UL, 5_000L)] // picoseconds
    [InlineData((byte)0x80 | 20, 3UL << 19, 1_500_000_000L)] // 2^-20 s units: 3 * 2^19 of them is 1.5 s
    [InlineData((byte)0x80 | 10, 1024UL * 7, 7_000_000_000L)] // 2^-10 s units
    public void PcapNg_TimestampResolution_ConvertsToNanoseconds(byte tsresol, ulong units, long expectedNanos)
    {
        var file = new PcapNgFileBuilder().Section().Interface(101, tsresol: tsresol).Enhanced(0, units, FrameA).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(expectedNanos, Assert.Single(frames).TimestampNanos);
        Assert.Equal(0, warnings.Total);
    }

    [Fact]
    public void PcapNg_TimestampOffset_AddsSeconds()
    {
        var file = new PcapNgFileBuilder().Section(bigEndian: true).Interface(101, tsresol: 6, tsoffsetSeconds: 1_000).Enhanced(0, 250_000, FrameA).ToArray();

        var frames = CapturedFrame.ReadAll(file);

        Assert.Equal(1_000_250_000_000L, Assert.Single(frames).TimestampNanos);
    }

    [Fact]
    public void PcapNg_SimplePackets_UseInterfaceZeroSnapLength()
    {
        byte[] big = [.. Enumerable.Range(0, 40).Select(i => (byte)i)];
        var file = new PcapNgFileBuilder()
            .Section()
            .Interface(228, snapLength: 16)
            .Interface(1)
            .Simple(big[..16], originalLength: 40) // captured length = min(original, snaplen of IDB 0)
            .Simple(FrameB)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(2, frames.Count);
        Assert.Equal(big[..16], frames[0].Data);
        Assert.Equal(40, frames[0].OriginalLength);
        Assert.Equal(LinkType.IPv4, frames[0].LinkType);
        Assert.Equal(FrameB, frames[1].Data);
        Assert.All(frames, f => Assert.Equal(0, f.InterfaceIndex));
        Assert.All(frames, f => Assert.Equal(0, f.TimestampNanos));
        Assert.Equal(0, warnings.Total);
    }

    [Fact]
    public void PcapNg_SimplePacketPaddedData_DropsThePadding()
    {
        var file = new PcapNgFileBuilder().Section().Interface(101).Simple(FrameA[..5]).ToArray();

        var frames = CapturedFrame.ReadAll(file);

        Assert.Equal(FrameA[..5], Assert.Single(frames).Data);
    }

    [Fact]
    public void PcapNg_UnknownAndOtherBlocks_SkippedByLength()
    {
        var file = new PcapNgFileBuilder()
            .Section()
            .Block(PcapNgFileBuilder.NameResolution, new byte[12])
            .Interface(1)
            .Block(PcapNgFileBuilder.DecryptionSecrets, new byte[20])
            .Enhanced(0, 1, FrameA)
            .Block(PcapNgFileBuilder.InterfaceStatistics, new byte[28])
            .Block(PcapNgFileBuilder.Custom, new byte[8])
            .Block(0x12345678, [])
            .Enhanced(0, 2, FrameB)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal([FrameA, FrameB], frames.Select(f => f.Data));
        Assert.Equal(0, warnings.Total);
    }

    [Fact]
    public void PcapNg_BlockLargerThanBuffer_SkippedByLength()
    {
        var file = new PcapNgFileBuilder()
            .Section()
            .Interface(1)
            .Block(PcapNgFileBuilder.Custom, new byte[(2 << 20) + 8])
            .Enhanced(0, 1, FrameA)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(FrameA, Assert.Single(frames).Data);
        Assert.Equal(0, warnings.Total);
    }

    [Fact]
    public void Open_FirstBlockNotSectionHeader_Throws()
    {
        var file = new PcapNgFileBuilder().Interface(1).ToArray();

        var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(new MemoryStream(file), "idb-first.pcapng"));

        Assert.Contains("idb-first.pcapng", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SectionHeaderTruncatedAtEveryLength_Throws()
    {
        var file = new PcapNgFileBuilder().Section().ToArray();

        for (int length = 4; length < file.Length; length++)
        {
            var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(new MemoryStream(file[..length]), "cut.pcapng"));

            Assert.Contains("cut.pcapng", error.Message, StringComparison.Ordinal);
            Assert.Contains("pcapng-truncated-block", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Open_UnsupportedMajorVersion_Throws()
    {
        var file = new PcapNgFileBuilder().Section(major: 2).Interface(1).ToArray();

        var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(new MemoryStream(file), "v2.pcapng"));

        Assert.Contains("pcapng-unsupported-version", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, error.Position);
    }

    [Fact]
    public void Open_BadByteOrderMagic_Throws()
    {
        var file = new PcapNgFileBuilder().Section(byteOrderMagic: 0x11223344).ToArray();

        var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(new MemoryStream(file), "bom.pcapng"));

        Assert.Contains("pcapng-bad-byte-order", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8L)]
    [InlineData(30L)]
    public void TryRead_BadBlockLength_EndsStreamWithWarning(long lengthField)
    {
        var builder = new PcapNgFileBuilder().Section().Interface(1).Enhanced(0, 1, FrameA);
        long position = builder.Length;
        var file = builder.Block(PcapNgFileBuilder.Custom, new byte[20], lengthField: lengthField).Enhanced(0, 2, FrameB).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Single(frames);
        var warning = Assert.Single(warnings.Details);
        Assert.Equal("pcapng-bad-block-length", warning.Code);
        Assert.Equal(position, warning.Position);
    }

    [Fact]
    public void TryRead_TrailingLengthMismatch_EndsStreamWithWarning()
    {
        var builder = new PcapNgFileBuilder().Section().Interface(1).Enhanced(0, 1, FrameA);
        long position = builder.Length;
        var file = builder.Block(PcapNgFileBuilder.Custom, new byte[20], trailingField: 36).Enhanced(0, 2, FrameB).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Single(frames);
        var warning = Assert.Single(warnings.Details);
        Assert.Equal("pcapng-block-length-mismatch", warning.Code);
        Assert.Equal(position, warning.Position);
    }

    [Fact]
    public void TryRead_AbsurdBlockLength_EndsAsTruncatedWithoutBufferingIt()
    {
        var file = new PcapNgFileBuilder().Section().Interface(1).Enhanced(0, 1, FrameA)
            .Block(PcapNgFileBuilder.EnhancedPacket, new byte[20], lengthField: 0xFFFF_FFF0).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Single(frames);
        Assert.Equal(1, warnings.CountOf("pcapng-truncated-block"));
    }

    [Fact]
    public void TryRead_PacketForUndeclaredInterface_SkipsItAndContinues()
    {
        var builder = new PcapNgFileBuilder().Section().Interface(1);
        long position = builder.Length;
        var file = builder.Enhanced(3, 1, FrameA).Enhanced(0, 2, FrameB).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(FrameB, Assert.Single(frames).Data);
        var warning = Assert.Single(warnings.Details);
        Assert.Equal("pcapng-unknown-interface", warning.Code);
        Assert.Equal(position, warning.Position);
    }

    [Fact]
    public void TryRead_SimplePacketWithoutInterface_SkipsIt()
    {
        var file = new PcapNgFileBuilder().Section().Simple(FrameA).Interface(1).Simple(FrameB).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(FrameB, Assert.Single(frames).Data);
        Assert.Equal(1, warnings.CountOf("pcapng-unknown-interface"));
    }

    [Fact]
    public void TryRead_CapturedLengthOverrunsBlock_SkipsBlockAndContinues()
    {
        var file = new PcapNgFileBuilder().Section().Interface(1)
            .Enhanced(0, 1, FrameA, capturedLengthField: 200)
            .Enhanced(0, 2, FrameB)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(FrameB, Assert.Single(frames).Data);
        Assert.Equal(1, warnings.CountOf("pcapng-bad-block"));
    }

    [Fact]
    public void TryRead_EnhancedBlockTooShortForItsFields_SkipsIt()
    {
        var file = new PcapNgFileBuilder().Section().Interface(1)
            .Block(PcapNgFileBuilder.EnhancedPacket, new byte[8])
            .Enhanced(0, 2, FrameB)
            .ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(FrameB, Assert.Single(frames).Data);
        Assert.Equal(1, warnings.CountOf("pcapng-bad-block"));
    }

    [Fact]
    public void TryRead_CaplenAboveSnaplen_ReadsAndWarns()
    {
        var file = new PcapNgFileBuilder().Section().Interface(1, snapLength: 4).Enhanced(0, 1, FrameA).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(FrameA, Assert.Single(frames).Data);
        Assert.Equal(1, warnings.CountOf("pcapng-caplen-exceeds-snaplen"));
    }

    [Fact]
    public void TryRead_CaplenAboveMaximum_SkipsBlockAndContinues()
    {
        var file = new PcapNgFileBuilder().Section().Interface(1).Enhanced(0, 1, new byte[300]).Enhanced(0, 2, FrameB).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings, new CaptureReaderOptions { MaxPacketLength = 256 });

        Assert.Equal(FrameB, Assert.Single(frames).Data);
        Assert.Equal(1, warnings.CountOf("pcapng-caplen-exceeds-max"));
    }

    [Fact]
    public void TryRead_LaterSectionWithUnsupportedVersion_EndsStream()
    {
        var file = new PcapNgFileBuilder().Section().Interface(1).Enhanced(0, 1, FrameA)
            .Section(major: 9).Interface(1).Enhanced(0, 2, FrameB).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Single(frames);
        Assert.Equal(1, warnings.CountOf("pcapng-unsupported-version"));
    }

    [Fact]
    public void TryRead_BadInterfaceOption_KeepsInterfaceWithDefaults()
    {
        // if_tsresol claims 10^-40 s, which no 64-bit timestamp can carry.
        var file = new PcapNgFileBuilder().Section().Interface(1, tsresol: 40).Enhanced(0, 7, FrameA).ToArray();

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(7_000, Assert.Single(frames).TimestampNanos);
        Assert.Equal(1, warnings.CountOf("pcapng-bad-option"));
    }

    [Fact]
    public void TryRead_TruncatedAtEveryOffset_NeverThrowsAndYieldsPrefix()
    {
        var builder = new PcapNgFileBuilder().Section().Interface(1).Interface(101, tsresol: 9);
        var boundaries = new List<long>();
        for (int i = 0; i < 4; i++)
        {
            builder.Enhanced((uint)(i % 2), (ulong)i, FrameA.AsSpan(0, 3 + i));
            boundaries.Add(builder.Length);
            builder.Block(PcapNgFileBuilder.Custom, new byte[4]).Simple(FrameB);
            boundaries.Add(builder.Length);
        }
        builder.Section(bigEndian: true).Interface(1).Enhanced(0, 9, FrameA);
        var file = builder.ToArray();
        var all = CapturedFrame.ReadAll(file);
        int headerLength = 28;

        for (int length = headerLength; length <= file.Length; length++)
        {
            var frames = CapturedFrame.ReadAll(file[..length], out var warnings);

            Assert.True(frames.Count <= all.Count);
            Assert.All(frames.Select((f, i) => (f, i)), p => Assert.True(p.f.SameAs(all[p.i])));
            Assert.True(warnings.Total <= 1);
            Assert.Equal(warnings.Total, warnings.CountOf("pcapng-truncated-block"));
        }
        Assert.Equal(9, all.Count);
    }
}
