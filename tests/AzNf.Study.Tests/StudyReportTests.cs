using System.Text.Json;
using System.Xml.Linq;

namespace AzNf.Study.Tests;

/// <summary>
/// The study's files from known results: the tables carry the runs' figures and the Lambda rows
/// beside them, σ of one run is "n/a", the page is one self-contained file, the charts are real
/// PNG and SVG files.
/// </summary>
public class StudyReportTests
{
    [Fact]
    public void Write_KnownResults_TablesChartsAndJsonCarryThem()
    {
        string folder = AzNf.TestOracles.OracleProcess.TempDirectory("study-report");
        var results = Results();

        var files = StudyReport.Write(results, folder);

        string md = File.ReadAllText(files.Markdown);
        // The embedded counter: 3 runs of 800, 1,000 and 1,200 Mbps; Lambda's counter beside it.
        Assert.Contains("| counter | embedded | batch/fused | 3 | 1,000.0 | 200.0 |", md, StringComparison.Ordinal);
        Assert.Contains("| counter | AWS Lambda (2017) | packet | — | 367.14 | 18.34 |", md, StringComparison.Ordinal);
        Assert.Contains("2.72×", md, StringComparison.Ordinal); // 1,000 / 367.14
        // One durable run: σ is not available, never 0.
        Assert.Contains("| chain | durable | packet/fused | 1 | 8 | n/a (n=1) |", md, StringComparison.Ordinal);
        Assert.Contains("not Azure", md, StringComparison.Ordinal);
        Assert.Contains("Not checked live", md, StringComparison.Ordinal);

        string html = File.ReadAllText(files.Html);
        Assert.DoesNotContain("src=\"http", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"http", html, StringComparison.Ordinal);
        Assert.Equal(files.Charts.Count, CountOf(html, "src=\"data:image/png;base64,"));

        Assert.Equal(["throughput", "latency-cdf", "partitions", "frame-size", "cost"], files.Charts.Select(c => c.Name));
        foreach (var chart in files.Charts)
        {
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(chart.PngPath)[..4]);
            Assert.Equal("svg", XDocument.Load(chart.SvgPath).Root!.Name.LocalName);
        }

        using var json = JsonDocument.Parse(File.ReadAllText(files.Json));
        var cells = json.RootElement.GetProperty("cells");
        Assert.Equal(2, cells.GetArrayLength());
        Assert.Equal(1000, cells[0].GetProperty("mbps").GetProperty("mean").GetDouble(), 6);
        Assert.False(cells[1].GetProperty("mbps").TryGetProperty("sigma", out _), "σ of one run is absent, not 0");
        Assert.Equal(3, cells[0].GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public void Read_WrittenResults_PriceAgainWithOtherPrices()
    {
        string folder = AzNf.TestOracles.OracleProcess.TempDirectory("study-reprice");
        var files = StudyReport.Write(Results(), folder);
        var read = StudyReport.Read(files.Json);
        var prices = Prices.Load(Path.Combine(AppContext.BaseDirectory, "prices", "azure-list-prices.json"));
        var doubled = prices with { Items = prices.Items.ToDictionary(i => i.Key, i => i.Value with { Price = i.Value.Price * 2 }) };

        var repriced = read.Priced(doubled, new CostAssumptions(10, 16));

        Assert.Equal(Results().Cells.Select(c => c.Mbps), read.Cells.Select(c => c.Mbps));
        Assert.Equal(Results().Cells.Select(c => c.Latency), read.Cells.Select(c => c.Latency));
        var before = Assert.Single(read.Cost!.Rows);
        var after = Assert.Single(repriced.Cost!.Rows);
        Assert.Equal(before.TotalEp1UsdPerTb * 2, after.TotalEp1UsdPerTb, 6);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static StudyResults Results()
    {
        // 1 s runs of 1,000 packets: Mbps = bytes × 8 / 1e6.
        static RunSample Embedded(double mbps) => new(1, 1_000, (long)(mbps * 1e6 / 8), [0.5, 0.7, 0.9]);
        var counter = new CellResult(new StudyCell("counter", StudyCell.Embedded, "batch", "fused"), 2, [Embedded(800), Embedded(1_000), Embedded(1_200)]);
        var durable = new CellResult(new StudyCell("chain", StudyCell.Durable, "packet", "fused"), 2,
            [new RunSample(1, 1_000, 1_000_000, Enumerable.Range(1, 100).Select(i => (double)i).ToList(), new StorageSample(10, 500, 20, 0, 0, 0), 3)]);
        var prices = Prices.Load(Path.Combine(AppContext.BaseDirectory, "prices", "azure-list-prices.json"));
        static SweepPoint Point(int x, double mbps) => new(x, [Embedded(mbps), Embedded(mbps * 1.1)]);
        return new StudyResults
        {
            Environment = new StudyEnvironment("test CPU", 2, 4, "test OS", ".NET", "Azurite (test): not Azure Storage", "2026-12-07"),
            Plan = ["embedded counter: 3 runs", "durable chain packet/fused: 1 run"],
            Captures = [new StudyCapture(StudyResults.LargeCapture, "generated", 1_000, 1_000_000), new StudyCapture(StudyResults.SmallCapture, "generated", 100, 100_000)],
            Cells = [counter, durable],
            PartitionSweep = [Point(1, 500), Point(2, 900)],
            SizeSweep = [Point(64, 300), Point(1500, 3_000)],
            Memory = [new MemoryRow("counter", 1_000, 130)],
            ChainStages = 3,
        }.Priced(prices, new CostAssumptions(10, 16));
    }
}
