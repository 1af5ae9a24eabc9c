using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Tests.Capture;

/// <summary>
/// What every capture format must do, whatever its framing: each format inherits the whole
/// suite through <see cref="Build"/>, which writes the given frames in that format.
/// </summary>
public abstract class CaptureReaderContractTests
{
    /// <summary>Writes frames (timestamps in whole microseconds, so every format can carry them).</summary>
    private protected abstract byte[] Build(IReadOnlyList<(long TimestampNanos, byte[] Data)> frames);

    private static List<(long, byte[])> SampleFrames(int count, int maxLength)
    {
        var frames = new List<(long, byte[])>();
        for (int i = 0; i < count; i++)
        {
            var data = new byte[1 + (i * 37 % maxLength)];
            data.AsSpan().Fill((byte)i);
            frames.Add((1_600_000_000_000_000_000L + (i * 1_001_000L), data));
        }
        return frames;
    }

    [Fact]
    public void TryRead_WrittenFrames_ReadBackInOrderWithTimestamps()
    {
        var written = SampleFrames(40, 300);
        var file = Build(written);

        var frames = CapturedFrame.ReadAll(file, out var warnings);

        Assert.Equal(written.Select(w => w.Item1), frames.Select(f => f.TimestampNanos));
        Assert.Equal(written.Select(w => w.Item2), frames.Select(f => f.Data));
        Assert.All(frames, f => Assert.Equal(LinkType.Ethernet, f.LinkType));
        Assert.Equal(0, warnings.Total);
    }

    [Fact]
    public void TryRead_TruncatedAtEveryOffset_NeverThrowsYieldsPrefixAtMostOneWarning()
    {
        var file = Build(SampleFrames(6, 40));
        var all = CapturedFrame.ReadAll(file);
        int opened = 0;

        for (int length = 0; length <= file.Length; length++)
        {
            CaptureReader reader;
            try
            {
                reader = CaptureReader.Open(new MemoryStream(file[..length]), "cut");
            }
            catch (CaptureFormatException)
            {
                Assert.Equal(0, opened); // only a cut inside the file header may make it unusable
                continue;
            }
            opened++;
            using (reader)
            {
                var frames = CapturedFrame.ReadAll(reader);

                Assert.All(frames.Select((f, i) => (f, i)), p => Assert.True(p.f.SameAs(all[p.i])));
                Assert.InRange(reader.Warnings.Total, 0, 1);
                Assert.True(reader.Warnings.Counts.Keys.All(code => code.Contains("truncated", StringComparison.Ordinal)));
            }
        }
        Assert.True(opened > file.Length - 40);
    }

    [Fact]
    public void TryRead_SteadyState_AllocatesNothingPerRecord()
    {
        const int Records = 50_000;
        var file = Build(SampleFrames(Records, 64));
        using var reader = CaptureReader.Open(new MemoryStream(file), "steady");
        reader.TryRead(out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        int count = 1;
        while (reader.TryRead(out _))
        {
            count++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Fewer bytes than records: no record can have allocated (an object is at least 24
        // bytes). Not zero, because the runtime may tier up the loop mid-measurement and
        // charge a few kilobytes of its own to this thread.
        Assert.Equal(Records, count);
        Assert.InRange(allocated, 0, Records - 1);
        Assert.Equal(file.Length, reader.Position);
    }
}
