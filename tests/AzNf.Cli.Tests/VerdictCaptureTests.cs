using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// `aznf run --write-forwarded/--write-dropped`: the chain's effect as captures, read back by
/// tshark: exactly the forwarded packets in one, the dropped ones in the other, in capture order.
/// </summary>
public class VerdictCaptureTests
{
    [Fact]
    public void Run_WritingForwardedAndDropped_SplitsTheCaptureByVerdict()
    {
        string folder = OracleProcess.TempDirectory("verdict-captures");
        string capture = CliRunner.Generate(flows: 300, seed: 7, folder);
        string forwarded = Path.Combine(folder, "fwd.pcap"), dropped = Path.Combine(folder, "drop.pcap");
        string eve = Path.Combine(folder, "eve.json");
        var report = EveOutputTests.RunWithEve(capture, CliRunner.Samples("chains", "full.json"), eve, folder, "--write-forwarded", forwarded, "--write-dropped", dropped);
        Assert.True(report.Totals.Dropped > 0, "the full chain's firewall should drop some of the generated traffic");

        // One line per frame: its time, length and addresses, which together name a frame of the input.
        string[] input = Frames(capture), forwardedFrames = Frames(forwarded), droppedFrames = Frames(dropped);
        Assert.Equal(report.Totals.Forwarded, forwardedFrames.Length);
        Assert.Equal(report.Totals.Dropped, droppedFrames.Length);

        // The dropped capture holds the frames at the indexes the drop events name, in order; the
        // forwarded one holds every other frame, in order.
        var droppedIndexes = EveOutputTests.ReadEvents(eve)
            .Where(e => e.GetProperty("event_type").GetString() == "drop")
            .Select(e => e.GetProperty("pcap_cnt").GetInt64())
            .Order()
            .ToList();
        Assert.Equal(droppedIndexes.Select(i => input[i - 1]), droppedFrames);
        var droppedSet = droppedIndexes.ToHashSet();
        Assert.Equal(input.Where((_, i) => !droppedSet.Contains(i + 1)), forwardedFrames);
    }

    [Fact]
    public void Run_WritingForwardedOnTheDurableRuntime_ExitsBadCommandLine()
    {
        var (code, errors) = CliRunner.Aznf("run", "--capture", CliRunner.Samples("captures", "http-loopback.pcapng"), "--runtime", "durable", "--write-forwarded", "x.pcap", "--quiet");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--write-forwarded, --write-dropped and --write-rejects need --runtime embedded", errors, StringComparison.Ordinal);
    }

    private static string[] Frames(string path) =>
        OracleProcess.Run("tshark", "-r", path, "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
