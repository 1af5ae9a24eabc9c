using System.Text.Json;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// `aznf study --quick`: every cell it lists is run and filled (runs, throughput, unit latency,
/// storage requests for the durable cells, a cost row per chain cell), on the embedded runtime
/// and on the durable runtime against a private Azurite, and the report files are there.
/// </summary>
public class StudyCommandTests
{
    [Fact]
    public void Study_Quick_FillsEveryCellItLists()
    {
        string folder = Path.Combine(OracleProcess.TempDirectory("study"), "out");

        var (code, errors) = CliRunner.Aznf("study", "--quick", "--out", folder);

        Assert.True(code == 0, errors);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "study.json")));
        var root = json.RootElement;
        var plan = root.GetProperty("plan").EnumerateArray().Select(p => p.GetString()!).ToList();
        var cells = root.GetProperty("cells").EnumerateArray().ToList();
        // Four NFs embedded, the chain durable at every granularity fused and at batch staged.
        Assert.Equal(9, cells.Count);
        foreach (var cell in cells)
        {
            var spec = cell.GetProperty("cell");
            string name = spec.GetProperty("name").GetString()!;
            bool durable = spec.GetProperty("runtime").GetString() == "durable";
            Assert.Contains(plan, line => line.StartsWith(name + ":", StringComparison.Ordinal));
            var mbps = cell.GetProperty("mbps");
            Assert.Equal(durable ? 1 : 3, mbps.GetProperty("n").GetInt32());
            Assert.True(mbps.GetProperty("mean").GetDouble() > 0, $"{name}: no throughput");
            Assert.Equal(durable, !mbps.TryGetProperty("sigma", out _)); // n = 1: σ not available
            Assert.True(cell.GetProperty("latency").GetProperty("ms").GetProperty("n").GetInt32() > 0, $"{name}: no unit latencies");
            Assert.Equal(durable, cell.TryGetProperty("storageRequestsPer1000Packets", out var storage));
            if (durable)
            {
                Assert.True(storage.GetDouble() > 0, $"{name}: no storage requests counted");
            }
            var packets = cell.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("packets").GetInt64()).ToList();
            Assert.All(packets, p => Assert.True(p > 0));
        }
        // The durable packet unit is one packet; the batch unit many.
        Assert.Equal(1.0, Cell(cells, "durable chain packet/fused").GetProperty("packetsPerUnit").GetDouble(), 6);
        Assert.True(Cell(cells, "durable chain batch/fused").GetProperty("packetsPerUnit").GetDouble() > 10);

        var costRows = root.GetProperty("cost").GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(cells.Count(c => c.GetProperty("cell").GetProperty("nf").GetString() == "chain"), costRows.Count);
        Assert.All(costRows, row => Assert.True(row.GetProperty("totalEp1UsdPerTb").GetDouble() > 0));
        Assert.False(root.GetProperty("cost").GetProperty("pricesCheckedLive").GetBoolean());
        Assert.Equal(2, root.GetProperty("partitionSweep").GetArrayLength());
        Assert.Equal(2, root.GetProperty("sizeSweep").GetArrayLength());
        Assert.Equal(4, root.GetProperty("memory").GetArrayLength());
        Assert.Contains("Azurite", root.GetProperty("environment").GetProperty("storage").GetString(), StringComparison.Ordinal);

        foreach (string chart in new[] { "throughput", "latency-cdf", "partitions", "frame-size", "cost" })
        {
            Assert.True(File.Exists(Path.Combine(folder, "charts", chart + ".png")), chart);
            Assert.True(File.Exists(Path.Combine(folder, "charts", chart + ".svg")), chart);
        }
        Assert.Contains("AWS Lambda (2017)", File.ReadAllText(Path.Combine(folder, "study.md")), StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(folder, "study.html")), StringComparison.Ordinal);

        // Priced again from its study.json with every price doubled: the same cells, twice the dollars.
        string doubled = Path.Combine(folder, "doubled.json");
        var prices = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(CliRunner.Samples("prices", "azure-list-prices.json")))!;
        foreach (var item in prices["items"]!.AsObject())
        {
            item.Value!["price"] = item.Value["price"]!.GetValue<double>() * 2;
        }
        File.WriteAllText(doubled, prices.ToJsonString());
        string again = Path.Combine(folder, "again");
        var (repriced, repricedErrors) = CliRunner.Aznf("study", "--results", Path.Combine(folder, "study.json"), "--prices", doubled, "--out", again);
        Assert.True(repriced == 0, repricedErrors);
        using var second = JsonDocument.Parse(File.ReadAllText(Path.Combine(again, "study.json")));
        var secondRows = second.RootElement.GetProperty("cost").GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(costRows.Count, secondRows.Count);
        for (int i = 0; i < costRows.Count; i++)
        {
            Assert.Equal(costRows[i].GetProperty("totalEp1UsdPerTb").GetDouble() * 2, secondRows[i].GetProperty("totalEp1UsdPerTb").GetDouble(), 6);
        }
    }

    [Fact]
    public void Study_ResultsWithMeasuringOptions_ExitsBadCommandLine()
    {
        var (code, errors) = CliRunner.Aznf("study", "--results", "study.json", "--quick");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--results measures nothing", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Study_BadPriceFile_ExitsBadInputNamingIt()
    {
        string folder = OracleProcess.TempDirectory("study-prices");
        string prices = Path.Combine(folder, "prices.json");
        File.WriteAllText(prices, "{ not json");

        var (code, errors) = CliRunner.Aznf("study", "--quick", "--runtimes", "embedded", "--prices", prices, "--out", Path.Combine(folder, "out"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--prices: prices.json: not JSON", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder, "out")));
    }

    [Fact]
    public void Study_UnknownRuntime_ExitsBadCommandLine()
    {
        var (code, errors) = CliRunner.Aznf("study", "--quick", "--runtimes", "lambda");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--runtimes takes embedded, durable or both", errors, StringComparison.Ordinal);
    }

    private static JsonElement Cell(List<JsonElement> cells, string name) =>
        cells.Single(c => c.GetProperty("cell").GetProperty("name").GetString() == name);
}
