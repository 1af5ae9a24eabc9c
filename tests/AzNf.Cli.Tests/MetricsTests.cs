using System.Globalization;
using AzNf.NetworkFunctions.Chain;
using AzNf.TestOracles;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace AzNf.Cli.Tests;

/// <summary>
/// The AzNf meter, read through OpenTelemetry's in-memory exporter as an exporter in Azure would
/// read it, equals the report on both runtimes; the durable runtime's EVE output, written as its
/// units complete, holds the report's alerts and flows.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class MetricsTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("embedded")]
    [InlineData("durable")]
    public void Run_MetricsExportedThroughOpenTelemetry_EqualTheReport(string runtime)
    {
        string folder = OracleProcess.TempDirectory("metrics-" + runtime);
        string capture = CliRunner.Generate(flows: 150, seed: 7, folder);
        string reportPath = Path.Combine(folder, "report.json"), eve = Path.Combine(folder, "eve.json");
        var exported = new List<Metric>();
        using (var provider = Sdk.CreateMeterProviderBuilder().AddMeter("AzNf").AddInMemoryExporter(exported).Build())
        {
            Environment.SetEnvironmentVariable(AzNf.Cli.Commands.DurableRun.StorageVariable, runtime == "durable" ? azurite.ConnectionString : null);
            try
            {
                var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--runtime", runtime, "--partitions", "2", "--report", reportPath, "--eve", eve, "--quiet");
                Assert.True(code == 0, $"aznf run --runtime {runtime} exited with {code}: {errors}");
            }
            finally
            {
                Environment.SetEnvironmentVariable(AzNf.Cli.Commands.DurableRun.StorageVariable, null);
            }
            exported.Clear();
            provider.ForceFlush();
        }
        var report = RunReport.ReadJson(File.ReadAllText(reportPath));
        var metrics = Series(exported);
        Assert.True(report.Totals.Dropped > 0 && report.Alerts.Count > 0, "the capture should have drops and alerts");

        Assert.Equal(report.Totals.Forwarded, metrics.GetValueOrDefault("aznf.packets|aznf.outcome=forwarded"));
        Assert.Equal(report.Totals.Dropped, metrics.GetValueOrDefault("aznf.packets|aznf.outcome=dropped"));
        Assert.Equal(report.Totals.Bytes, metrics.GetValueOrDefault("aznf.bytes|"));
        foreach (var nf in report.Nfs)
        {
            Assert.Equal(nf.PacketsIn, metrics.GetValueOrDefault($"aznf.stage.packets|aznf.direction=in,aznf.stage={nf.Name}"));
            Assert.Equal(nf.PacketsOut, metrics.GetValueOrDefault($"aznf.stage.packets|aznf.direction=out,aznf.stage={nf.Name}"));
        }
        Assert.Equal(
            report.Totals.DropReasons.Select(r => $"{r.Key}={r.Value}").Order(StringComparer.Ordinal),
            metrics.Where(m => m.Key.StartsWith("aznf.drops|", StringComparison.Ordinal)).Select(m => $"{m.Key["aznf.drops|aznf.reason=".Length..]}={m.Value}").Order(StringComparer.Ordinal));
        Assert.Equal(
            report.Alerts.GroupBy(a => a.Sid).Select(g => $"{g.Key}={g.Count()}").Order(StringComparer.Ordinal),
            metrics.Where(m => m.Key.StartsWith("aznf.alerts|", StringComparison.Ordinal)).Select(m => $"{m.Key.Split("aznf.sid=")[1].Split(',')[0]}={m.Value}").Order(StringComparer.Ordinal));
        Assert.Equal(report.Flows.Count, metrics.Where(m => m.Key.StartsWith("aznf.flows.ended|", StringComparison.Ordinal)).Sum(m => m.Value));
        Assert.True(metrics.GetValueOrDefault("aznf.batch.duration|") > 0, "batch latency should be recorded");

        // EVE: the embedded runtime writes as partitions run, the durable one as units complete.
        var events = EveOutputTests.ReadEvents(eve);
        Assert.Equal(
            report.Alerts.Select(a => $"{a.Sid} {a.FlowId} {a.PacketIndex}").Order(StringComparer.Ordinal),
            events.Where(e => e.GetProperty("event_type").GetString() == "alert")
                .Select(e => $"{e.GetProperty("alert").GetProperty("signature_id").GetInt32()} {e.GetProperty("flow_id").GetInt64()} {e.GetProperty("pcap_cnt").GetInt64()}").Order(StringComparer.Ordinal));
        Assert.Equal(
            report.Flows.Select(f => $"{f.FlowId} {f.Packets}").Order(StringComparer.Ordinal),
            events.Where(e => e.GetProperty("event_type").GetString() == "flow")
                .Select(e => $"{e.GetProperty("flow_id").GetInt64()} {e.GetProperty("flow").GetProperty("pkts_toserver").GetInt64() + e.GetProperty("flow").GetProperty("pkts_toclient").GetInt64()}").Order(StringComparer.Ordinal));
    }

    /// <summary>"instrument|tag=value,…" (the chain tag left out) → sum, last value, or a histogram's count.</summary>
    private static Dictionary<string, double> Series(List<Metric> exported)
    {
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var metric in exported)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new List<string>();
                foreach (var tag in point.Tags)
                {
                    if (tag.Key != "aznf.chain")
                    {
                        tags.Add($"{tag.Key}={Convert.ToString(tag.Value, CultureInfo.InvariantCulture)}");
                    }
                }
                tags.Sort(StringComparer.Ordinal);
                string key = $"{metric.Name}|{string.Join(',', tags)}";
                series[key] = metric.MetricType switch
                {
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                    MetricType.LongGauge => point.GetGaugeLastValueLong(),
                    MetricType.Histogram => point.GetHistogramCount(),
                    MetricType.DoubleSum => point.GetSumDouble(),
                    _ => double.NaN,
                };
            }
        }
        return series;
    }
}
