namespace AzNf.Study;

/// <summary>The deployment choices the cost model takes as given.</summary>
/// <param name="TargetGbps">The rate the instance count is sized for.</param>
/// <param name="PacketsPerEvent">Packets per Event Hubs event (<c>aznf send --flowlet</c>).</param>
/// <param name="FlexInstanceMemoryGb">A Flex Consumption instance's memory, billed per GB-second.</param>
public sealed record CostAssumptions(double TargetGbps, int PacketsPerEvent, double FlexInstanceMemoryGb = 2.048);

/// <summary>
/// One cell's cost of processing a terabyte (10¹² wire bytes), by part, and how many instances
/// the target rate needs, beside its latency: the study's granularity trade-off as money.
/// </summary>
public sealed record CostRow(
    string Cell,
    string Runtime,
    string Granularity,
    string Mode,
    double Mbps,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double? StorageRequestsPer1000Packets,
    double ComputeEp1UsdPerTb,
    double StorageUsdPerTb,
    double EventHubsUsdPerTb,
    double? FlexComputeUsdPerTb,
    int InstancesForTarget)
{
    public double TotalEp1UsdPerTb => ComputeEp1UsdPerTb + StorageUsdPerTb + EventHubsUsdPerTb;

    public double? TotalFlexUsdPerTb => FlexComputeUsdPerTb is { } flex ? flex + StorageUsdPerTb + EventHubsUsdPerTb : null;
}

/// <summary>The cost model's answer with everything it assumed.</summary>
public sealed record CostReport(
    string PricesDescription,
    string PricesAsOf,
    string Currency,
    bool PricesCheckedLive,
    IReadOnlyDictionary<string, PriceItem> Prices,
    CostAssumptions Assumptions,
    IReadOnlyList<string> Notes,
    IReadOnlyList<CostRow> Rows);

/// <summary>
/// Dollars per terabyte from measured counts and a price table: compute (Elastic Premium EP1
/// instance hours at the measured rate per instance, or Flex Consumption executions and
/// GB-seconds), storage transactions by service (durable: measured per packet), Event Hubs
/// ingress events and throughput-unit hours.
/// </summary>
public static class CostModel
{
    public const double BytesPerTb = 1e12;

    public static CostReport Estimate(IEnumerable<CellResult> cells, Func<StudyCell, double> meanFrameBytes, int chainStages, Prices prices, CostAssumptions assumptions, string measuredWhere)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(meanFrameBytes);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(assumptions);
        var rows = cells.Select(c => Row(c, meanFrameBytes(c.Cell), c.Cell.Nf == "chain" ? chainStages : 1, prices, assumptions)).ToList();
        string[] notes =
        [
            $"Prices: {prices.Description} As of {prices.AsOf}. Not checked live.",
            $"Rates measured {measuredWhere}; one instance is assumed to do what one run did here (an EP1 instance has 1 vCPU), and the durable runs talked to the storage named there, which for Azurite is not Azure Storage's latency or throughput.",
            "Storage is transactions only (capacity and egress left out); blob operations are priced at the write price, an upper bound.",
            $"Event Hubs: {assumptions.PacketsPerEvent} packets per event; throughput units sized by bytes (1 MB/s) or events (1,000/s), whichever needs more.",
            "Flex Consumption counts one orchestration and one activity per fused unit (one per stage staged); entity operations are not counted, so it is a lower bound.",
        ];
        return new CostReport(prices.Description, prices.AsOf, prices.Currency, PricesCheckedLive: false, prices.Items, assumptions, notes, rows);
    }

    private static CostRow Row(CellResult cell, double frameBytes, int stages, Prices prices, CostAssumptions assumptions)
    {
        double packets = BytesPerTb / frameBytes;
        double mbps = cell.Mbps.Mean;
        double instanceHours = BytesPerTb * 8 / (mbps * 1e6) / 3600;
        double compute = instanceHours * prices["functionsEp1InstanceHour"];
        double storage = 0;
        double? flex = null;
        if (cell.Cell.Runtime == StudyCell.Durable)
        {
            double PerPacket(Func<StorageSample, long> count) => cell.Runs.Average(r => (double)count(r.Storage!) / Math.Max(1, r.Packets));
            storage = packets * (PerPacket(s => s.Blob) * prices["storageBlobTenThousandOperations"]
                + PerPacket(s => s.Queue) * prices["storageQueueTenThousandOperations"]
                + PerPacket(s => s.Table) * prices["storageTableTenThousandTransactions"]) / 1e4;
            double units = cell.PacketsPerUnit <= 0 ? packets : packets / cell.PacketsPerUnit;
            double executions = units * (cell.Cell.Mode == "staged" ? 1 + stages : 2);
            flex = executions / 1e6 * prices["functionsFlexMillionExecutions"]
                + instanceHours * 3600 * assumptions.FlexInstanceMemoryGb * prices["functionsFlexGbSecond"];
        }
        double events = packets / assumptions.PacketsPerEvent;
        double throughputUnitHours = Math.Max(BytesPerTb / 1e6, events / 1000) / 3600;
        double eventHubs = events / 1e6 * prices["eventHubsIngressMillionEvents"] + throughputUnitHours * prices["eventHubsThroughputUnitHour"];
        var latency = cell.Latency;
        return new CostRow(
            cell.Cell.Name, cell.Cell.Runtime, cell.Cell.Granularity, cell.Cell.Mode, mbps, latency.P50, latency.P99,
            cell.StorageRequestsPer1000Packets, compute, storage, eventHubs, flex,
            (int)Math.Ceiling(assumptions.TargetGbps * 1000 / mbps));
    }
}
