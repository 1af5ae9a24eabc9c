using AzNf.TestOracles;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Tests.Capture;

/// <summary>
/// The damaged files under tests/TestData/capture/bad/ (also used by CLI tests): each either
/// cannot be opened, or reads its undamaged records and counts exactly one warning.
/// </summary>
public sealed class BadCaptureFileTests
{
    [Theory]
    [InlineData("bad-magic.pcap", 0L, "unknown magic")]
    [InlineData("truncated-file-header.pcap", 10L, "pcap file header truncated")]
    [InlineData("unsupported-version.pcapng", 0L, "pcapng-unsupported-version")]
    public void Open_UnusableFile_ThrowsWithFileAndPosition(string file, long position, string reason)
    {
        string path = OracleProcess.TestData("capture", "bad", file);

        var error = Assert.Throws<CaptureFormatException>(() => CaptureReader.Open(path));

        Assert.Equal(path, error.FileName);
        Assert.Equal(position, error.Position);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains($"{path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"at byte {position}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("truncated-last-record.pcap", new[] { 40000, 40001 }, "pcap-truncated-record", 186L)]
    [InlineData("absurd-caplen.pcap", new[] { 40000 }, "pcap-caplen-exceeds-max", 105L)]
    [InlineData("caplen-exceeds-snaplen.pcap", new[] { 40000, 40001, 40002 }, "pcap-caplen-exceeds-snaplen", 24L)]
    [InlineData("bad-block-length.pcapng", new[] { 40000 }, "pcapng-bad-block-length", 148L)]
    [InlineData("block-length-mismatch.pcapng", new[] { 40000 }, "pcapng-block-length-mismatch", 148L)]
    [InlineData("undeclared-interface.pcapng", new[] { 40000, 40002 }, "pcapng-unknown-interface", 148L)]
    public void TryRead_DamagedFile_KeepsGoodRecordsAndCountsWarning(string file, int[] sourcePorts, string code, long position)
    {
        using var reader = CaptureReader.Open(OracleProcess.TestData("capture", "bad", file));

        var ports = new List<int>();
        while (reader.TryRead(out var record))
        {
            Assert.Equal(MalformedReason.None, PacketParser.Parse(record.LinkType, record.Data, out var packet));
            ports.Add(packet.SourcePort);
        }

        Assert.Equal(sourcePorts, ports);
        Assert.Equal(code, reader.Warnings.Details[0].Code);
        Assert.Equal(position, reader.Warnings.Details[0].Position);
        Assert.Equal(code == "pcap-caplen-exceeds-snaplen" ? 3 : 1, reader.Warnings.Total);
    }
}
