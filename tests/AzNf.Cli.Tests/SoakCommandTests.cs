using System.Globalization;
using System.Xml.Linq;
using AzNf.Cli.Commands;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

public sealed class SoakCommandTests
{
    /// <summary>A short soak on a private Azurite: samples with growing packet counts, and a chart of them.</summary>
    [Fact]
    public void Soak_ShortRun_SamplesTheRunIntoCsvAndChart()
    {
        string folder = OracleProcess.TempDirectory("soak");

        var (code, errors) = CliRunner.Aznf("soak", "--minutes", "0.25", "--sample-seconds", "2", "--flows", "50", "--out", folder);

        Assert.True(code == ExitCodes.Ok, errors);
        string[] lines = File.ReadAllLines(Path.Combine(folder, "soak.csv"));
        Assert.Equal(SoakSample.Header, lines[0]);
        var packets = lines.Skip(1).Select(l => long.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToList();
        Assert.True(packets.Count >= 4, $"{packets.Count} samples");
        Assert.True(packets[^1] > 0);
        Assert.Equal(packets.Order(), packets);
        Assert.All(lines.Skip(1), l => Assert.True(double.Parse(l.Split(',')[4], CultureInfo.InvariantCulture) > 0, l));
        var svg = XDocument.Load(Path.Combine(folder, "soak.svg"));
        var polylines = svg.Descendants(XName.Get("polyline", "http://www.w3.org/2000/svg")).ToList();
        Assert.Equal(2, polylines.Count);
        Assert.All(polylines, p => Assert.Equal(packets.Count, p.Attribute("points")!.Value.Split(' ').Length));
    }

    [Fact]
    public void Verdict_SteadyAndGrowingRss_SlopeInMegabytesPerMinute()
    {
        var steady = Enumerable.Range(0, 60).Select(i => Sample(i * 10, rss: 500, mbps: 100)).ToList();
        var growing = Enumerable.Range(0, 60).Select(i => Sample(i * 10, rss: 500 + (i * 10 / 60.0 * 2), mbps: i < 30 ? 100 : 80)).ToList();

        Assert.Contains("growing 0.00 MB/min", SoakSample.Verdict(steady), StringComparison.Ordinal);
        Assert.Contains("(+0.0 %", SoakSample.Verdict(steady), StringComparison.Ordinal);
        Assert.Contains("growing 2.00 MB/min", SoakSample.Verdict(growing), StringComparison.Ordinal);
        Assert.Contains("(-20.0 %", SoakSample.Verdict(growing), StringComparison.Ordinal);
        Assert.Contains("too few", SoakSample.Verdict(steady.Take(3).ToList()), StringComparison.Ordinal);
    }

    private static SoakSample Sample(double seconds, double rss, double mbps) => new(seconds, (long)seconds * 1000, 1000, mbps, rss, rss / 2, 200, 20, 300, 10, 40, 1000);
}
