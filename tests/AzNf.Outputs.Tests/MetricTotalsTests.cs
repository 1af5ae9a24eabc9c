using AzNf.NetworkFunctions.Chain;
using AzNf.Outputs.Metrics;
using AzNf.TestOracles;

namespace AzNf.Outputs.Tests;

public class MetricTotalsTests
{
    [Fact]
    public void Record_UnitTalliesAndStorage_AddUpPerSeries()
    {
        var chain = ChainDefinition.Load(Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json"));
        using var metrics = new ChainMetrics(chain);
        using var totals = new MetricTotals(metrics);
        long blob = 3;
        metrics.ObserveStorageRequests(() => [new("blob", blob), new("queue", 5)]);
        metrics.ObserveIngestionLag(() => new Dictionary<int, long> { [0] = 12, [3] = 0 });
        var stage = new StageTally(10, 8, 2, 0, new Dictionary<string, long> { [ChainMetrics.DeadlineMissesCounter] = 1 });
        var unit = new ChainTally
        {
            Packets = 10, Bytes = 1000, Forwarded = 8, Dropped = 2,
            DropReasons = new() { ["firewall:rule:3"] = 2 },
            Stages = [stage, stage, stage],
            Alerts = [new ReportAlert(7, 1, "m", "alert", "tcp", "10.0.0.1", 1, "10.0.0.2", 2, 4, null, "ids")],
        };

        metrics.Record(unit, TimeSpan.FromMilliseconds(12));
        metrics.Record(unit, TimeSpan.FromMilliseconds(30));
        blob = 11;
        var series = totals.Read().ToDictionary(s => $"{s.Instrument}|{s.Tags}");

        Assert.Equal(16, series["aznf.packets|aznf.outcome=forwarded"].Value);
        Assert.Equal(4, series["aznf.packets|aznf.outcome=dropped"].Value);
        Assert.Equal(2000, series["aznf.bytes|"].Value);
        Assert.Equal(4, series["aznf.drops|aznf.reason=firewall:rule:3"].Value);
        Assert.Equal(2, series["aznf.alerts|aznf.sid=7,aznf.stage=ids"].Value);
        Assert.Equal(2, series["aznf.deadline.misses|aznf.stage=firewall"].Value);
        Assert.Equal(20, series["aznf.stage.packets|aznf.direction=in,aznf.stage=ids"].Value);
        Assert.Equal(2, series["aznf.batch.duration|"].Value);
        Assert.Equal(42, series["aznf.batch.duration|"].Sum);
        Assert.Equal(30, series["aznf.batch.duration|"].Max);
        Assert.Equal(11, series["aznf.storage.requests|aznf.service=blob"].Value);
        Assert.Equal(5, series["aznf.storage.requests|aznf.service=queue"].Value);
        Assert.False(series.ContainsKey("aznf.flows.active|"), "the durable runtime has no flow tables here to count");
        Assert.Equal(12, series["aznf.ingestion.lag|aznf.partition=0"].Value);
        Assert.Equal(0, series["aznf.ingestion.lag|aznf.partition=3"].Value);
    }
}
