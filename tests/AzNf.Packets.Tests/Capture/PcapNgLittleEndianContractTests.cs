namespace AzNf.Packets.Tests.Capture;

public sealed class PcapNgLittleEndianContractTests : CaptureReaderContractTests
{
    private protected override byte[] Build(IReadOnlyList<(long TimestampNanos, byte[] Data)> frames)
    {
        var builder = new PcapNgFileBuilder().Section().Interface(1);
        foreach (var (time, data) in frames)
        {
            builder.Enhanced(0, (ulong)(time / 1000), data);
        }
        return builder.ToArray();
    }
}
