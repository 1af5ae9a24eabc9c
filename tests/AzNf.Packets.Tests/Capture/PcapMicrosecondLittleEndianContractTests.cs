namespace AzNf.Packets.Tests.Capture;

public sealed class PcapMicrosecondLittleEndianContractTests : CaptureReaderContractTests
{
    private protected override byte[] Build(IReadOnlyList<(long TimestampNanos, byte[] Data)> frames)
    {
        var builder = new PcapFileBuilder(bigEndian: false, nanoseconds: false);
        foreach (var (time, data) in frames)
        {
            builder.Record((uint)(time / 1_000_000_000), (uint)(time % 1_000_000_000 / 1000), data);
        }
        return builder.ToArray();
    }
}
