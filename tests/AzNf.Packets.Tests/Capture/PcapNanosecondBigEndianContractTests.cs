namespace AzNf.Packets.Tests.Capture;

public sealed class PcapNanosecondBigEndianContractTests : CaptureReaderContractTests
{
    private protected override byte[] Build(IReadOnlyList<(long TimestampNanos, byte[] Data)> frames)
    {
        var builder = new PcapFileBuilder(bigEndian: true, nanoseconds: true);
        foreach (var (time, data) in frames)
        {
            builder.Record((uint)(time / 1_000_000_000), (uint)(time % 1_000_000_000), data);
        }
        return builder.ToArray();
    }
}
