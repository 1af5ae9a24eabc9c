namespace AzNf.Study.Tests;

/// <summary>The cost model's arithmetic, part by part, against figures worked out by hand.</summary>
public class CostModelTests
{
    private static readonly Prices Prices = new("test prices", "today", "USD", new Dictionary<string, PriceItem>
    {
        ["eventHubsThroughputUnitHour"] = new(0.03, "", ""),
        ["eventHubsIngressMillionEvents"] = new(0.028, "", ""),
        ["storageBlobTenThousandOperations"] = new(0.05, "", ""),
        ["storageQueueTenThousandOperations"] = new(0.004, "", ""),
        ["storageTableTenThousandTransactions"] = new(0.00036, "", ""),
        ["functionsEp1InstanceHour"] = new(0.2, "", ""),
        ["functionsFlexMillionExecutions"] = new(0.40, "", ""),
        ["functionsFlexGbSecond"] = new(0.000026, "", ""),
    });

    [Fact]
    public void Estimate_DurableCell_EveryPartFromTheMeasuredCounts()
    {
        // 1,000 packets of 500 bytes in 0.01 s: 400 Mbps; 10 units of 100 packets;
        // per packet 0.1 blob, 2 queue and 0.5 table requests.
        var run = new RunSample(0.01, 1_000, 500_000, Enumerable.Repeat(5.0, 10).ToList(), new StorageSample(100, 2_000, 500, 0, 0, 0));
        var cell = new CellResult(new StudyCell("chain", StudyCell.Durable, "batch", "fused"), 2, [run]);

        var report = CostModel.Estimate([cell], _ => 500, chainStages: 3, Prices, new CostAssumptions(TargetGbps: 10, PacketsPerEvent: 16), "here");

        var row = Assert.Single(report.Rows);
        const double Packets = 1e12 / 500; // 2e9 packets per TB
        double hours = 1e12 * 8 / 400e6 / 3600; // 5.5556 instance hours
        Assert.Equal(400, row.Mbps, 9);
        Assert.Equal(hours * 0.2, row.ComputeEp1UsdPerTb, 9);
        Assert.Equal(Packets * ((0.1 * 0.05) + (2 * 0.004) + (0.5 * 0.00036)) / 1e4, row.StorageUsdPerTb, 6);
        // Events: 2e9 / 16 = 1.25e8; TU-hours: max(1e6 s of bytes, 1.25e5 s of events) / 3600.
        Assert.Equal((1.25e8 / 1e6 * 0.028) + (1e6 / 3600 * 0.03), row.EventHubsUsdPerTb, 9);
        // Flex: 2e7 units × 2 executions, plus instance seconds × 2.048 GB.
        Assert.Equal((4e7 / 1e6 * 0.40) + (hours * 3600 * 2.048 * 0.000026), row.FlexComputeUsdPerTb!.Value, 9);
        Assert.Equal(25, row.InstancesForTarget); // 10 Gbps / 400 Mbps
        Assert.Equal(row.ComputeEp1UsdPerTb + row.StorageUsdPerTb + row.EventHubsUsdPerTb, row.TotalEp1UsdPerTb, 9);
        Assert.False(report.PricesCheckedLive);
        Assert.Contains("Not checked live", report.Notes[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Estimate_StagedCell_OneExecutionPerStagePlusTheOrchestration()
    {
        var run = new RunSample(1, 100, 50_000, Enumerable.Repeat(5.0, 100).ToList(), new StorageSample(0, 0, 0, 0, 0, 0));
        var fused = new CellResult(new StudyCell("chain", StudyCell.Durable, "packet", "fused"), 1, [run]);
        var staged = new CellResult(new StudyCell("chain", StudyCell.Durable, "packet", "staged"), 1, [run]);

        var rows = CostModel.Estimate([fused, staged], _ => 500, chainStages: 3, Prices, new CostAssumptions(10, 1), "here").Rows;

        double instanceSeconds = 1e12 * 8 / 0.4e6;
        double gbSeconds = instanceSeconds * 2.048 * 0.000026;
        Assert.Equal((2e9 * 2 / 1e6 * 0.40) + gbSeconds, rows[0].FlexComputeUsdPerTb!.Value, 6);
        Assert.Equal((2e9 * 4 / 1e6 * 0.40) + gbSeconds, rows[1].FlexComputeUsdPerTb!.Value, 6);
    }

    [Fact]
    public void Estimate_EmbeddedCell_NoStorageAndNoFlex()
    {
        var run = new RunSample(1, 1_000, 1_000_000, [1.0]);
        var cell = new CellResult(new StudyCell("chain", StudyCell.Embedded, "batch", "fused"), 1, [run]);

        var row = Assert.Single(CostModel.Estimate([cell], _ => 1_000, 3, Prices, new CostAssumptions(10, 16), "here").Rows);

        Assert.Equal(0, row.StorageUsdPerTb);
        Assert.Null(row.FlexComputeUsdPerTb);
        Assert.Null(row.StorageRequestsPer1000Packets);
    }

    [Fact]
    public void Load_ShippedPriceFile_EveryItemWithItsSource()
    {
        var prices = Prices.Load(Path.Combine(AppContext.BaseDirectory, "prices", "azure-list-prices.json"));

        Assert.All(AzNf.Study.Prices.Required, item =>
        {
            Assert.True(prices.Items[item].Price > 0, item);
            Assert.StartsWith("https://azure.microsoft.com/pricing/", prices.Items[item].Source, StringComparison.Ordinal);
        });
        Assert.Contains("NOT fetched or checked live", prices.Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{"description":"d","asOf":"a","currency":"USD","items":{}}""", "items lacks eventHubsThroughputUnitHour")]
    [InlineData("""{"description":"d","asOf":"a","currency":"USD","items":{"x":{"price":"1"}}}""", "items.x.price must be a number")]
    [InlineData("""{"asOf":"a","currency":"USD","items":{}}""", "items lacks")]
    public void Load_BadFile_ErrorNamesTheFileAndWhat(string text, string expected)
    {
        string path = Path.Combine(AzNf.TestOracles.OracleProcess.TempDirectory("prices"), "p.json");
        File.WriteAllText(path, text);

        var error = Assert.Throws<FormatException>(() => Prices.Load(path));

        Assert.StartsWith("p.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
