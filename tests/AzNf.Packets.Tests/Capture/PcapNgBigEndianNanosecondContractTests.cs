namespace AzNf.Packets.Tests.Capture;

public sealed class PcapNgBigEndianNanosecondContractTests : CaptureReaderContractTests
{
    private protected override byte[] Build(IReadOnlyList<(long TimestampNanos, byte[] Data)> frames)
    {
        // Two interfaces in use, so the per-record interface lookup is on the measured path.
        var builder = new PcapNgFileBuilder().Section(bigEndian: true).Interface(1, tsresol: 9).Interface(1, tsresol: 0x80 | 30).Block(PcapNgFileBuilder.Custom, new byte[12]);
        for (int i = 0; i < frames.Count; i++)
        {
            var (time, data) = frames[i];
            // 2^-30 s units: round up, so converting back (which floors) lands on the same nanosecond.
            ulong units = i % 2 == 0 ? (ulong)time : (ulong)((((UInt128)(ulong)time << 30) + 999_999_999) / 1_000_000_000);
            builder.Enhanced((uint)(i % 2), units, data);
        }
        return builder.ToArray();
    }
}
