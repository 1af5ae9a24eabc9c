using System.Globalization;
using ScottPlot;

namespace AzNf.Study;

/// <summary>A chart the study drew, as PNG and SVG files beside the report.</summary>
public sealed record StudyChart(string Name, string Title, string PngPath, string SvgPath);

/// <summary>
/// The study's charts (ScottPlot): throughput by NF and runtime with σ error bars beside the
/// Lambda figures, unit latency CDFs by granularity, throughput against partitions and against
/// frame size, and dollars per terabyte by cell.
/// </summary>
public static class StudyCharts
{
    private const int Width = 900;
    private const int Height = 520;

    public static IReadOnlyList<StudyChart> Write(StudyResults results, string folder)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(folder);
        var charts = new List<StudyChart>
        {
            Save(ThroughputByNf(results), folder, "throughput", "Throughput by NF and runtime (mean ± σ) beside AWS Lambda (2017)"),
        };
        if (results.Cells.Any(c => c.Latency.Ms.N > 0))
        {
            charts.Add(Save(LatencyCdf(results), folder, "latency-cdf", "Unit latency CDF by runtime and granularity"));
        }
        if (results.PartitionSweep.Count > 0)
        {
            charts.Add(Save(Sweep(results.PartitionSweep, "partitions"), folder, "partitions", "Chain throughput against partitions (embedded)"));
        }
        if (results.SizeSweep.Count > 0)
        {
            charts.Add(Save(Sweep(results.SizeSweep, "frame size (bytes)"), folder, "frame-size", "Chain throughput against frame size (embedded)"));
        }
        if (results.Cost is { Rows.Count: > 0 } cost)
        {
            charts.Add(Save(CostPerTb(cost), folder, "cost", $"Cost per TB processed ({cost.Currency}, EP1 compute + storage + Event Hubs)"));
        }
        return charts;
    }

    private static StudyChart Save(Plot plot, string folder, string name, string title)
    {
        plot.Title(title, size: 16);
        string png = Path.Combine(folder, name + ".png"), svg = Path.Combine(folder, name + ".svg");
        plot.SavePng(png, Width, Height);
        plot.SaveSvg(svg, Width, Height);
        return new StudyChart(name, title, png, svg);
    }

    private static Plot ThroughputByNf(StudyResults results)
    {
        var plot = new Plot();
        // One group per NF: embedded, durable (batch, fused) where measured, and the study's Lambda figure.
        (string Name, Func<string, (double Mean, double Error)?> Value, Color Color)[] series =
        [
            ("AzNf embedded", nf => Cell(results, nf, StudyCell.Embedded), Colors.C0),
            ("AzNf durable (batch, fused)", nf => Cell(results, nf, StudyCell.Durable), Colors.C1),
            ("AWS Lambda (2017)", nf => LambdaBaseline.For(nf) is { } row ? (row.MbpsMean, row.MbpsSigma) : null, Colors.Gray),
        ];
        var nfs = StudyPlan.Nfs.Where(nf => series.Any(s => s.Value(nf) is not null)).ToList();
        var bars = new List<Bar>();
        for (int n = 0; n < nfs.Count; n++)
        {
            for (int s = 0; s < series.Length; s++)
            {
                if (series[s].Value(nfs[n]) is { } value)
                {
                    bars.Add(new Bar { Position = (n * (series.Length + 1)) + s, Value = value.Mean, Error = value.Error, FillColor = series[s].Color });
                }
            }
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(
            nfs.Select((_, n) => (double)((n * (series.Length + 1)) + 1)).ToArray(),
            nfs.ToArray());
        plot.Legend.ManualItems.AddRange(series.Select(s => new LegendItem { LabelText = s.Name, FillColor = s.Color }));
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.Left.Label.Text = "Mbps";
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    private static (double Mean, double Error)? Cell(StudyResults results, string nf, string runtime)
    {
        var cell = results.Cells.FirstOrDefault(c => c.Cell.Nf == nf && c.Cell.Runtime == runtime && c.Cell.Granularity == "batch" && c.Cell.Mode == "fused");
        return cell is null ? null : (cell.Mbps.Mean, cell.Mbps.Sigma ?? 0);
    }

    private static Plot LatencyCdf(StudyResults results)
    {
        var plot = new Plot();
        var cells = results.Cells.Where(c => c.Cell.Nf == "chain" && c.Latency.Ms.N > 0).ToList();
        if (cells.Count == 0)
        {
            cells = results.Cells.Where(c => c.Latency.Ms.N > 0).ToList();
        }
        foreach (var cell in cells)
        {
            var sorted = cell.Runs.SelectMany(r => r.UnitLatencyMs).Select(ms => Math.Max(ms, 0.001)).Order().ToArray();
            double[] xs = sorted.Select(Math.Log10).ToArray();
            double[] ys = sorted.Select((_, i) => (i + 1.0) / sorted.Length).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = cell.Cell.Name;
            line.LineWidth = 2;
        }
        plot.Axes.Bottom.TickGenerator = LogTicks();
        plot.Axes.Bottom.Label.Text = "unit latency (ms, log scale)";
        plot.Axes.Left.Label.Text = "fraction of units";
        plot.ShowLegend(Alignment.LowerRight);
        return plot;
    }

    private static Plot Sweep(IReadOnlyList<SweepPoint> points, string xLabel)
    {
        var plot = new Plot();
        double[] xs = points.Select(p => (double)p.X).ToArray();
        double[] ys = points.Select(p => p.Mbps.Mean).ToArray();
        var line = plot.Add.Scatter(xs, ys);
        line.LegendText = "chain, mean";
        line.LineWidth = 2;
        line.MarkerSize = 8;
        plot.Add.ErrorBar(xs, ys, points.Select(p => p.Mbps.Sigma ?? 0).ToArray());
        plot.Axes.Bottom.SetTicks(xs, points.Select(p => p.X.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Bottom.Label.Text = xLabel;
        plot.Axes.Left.Label.Text = "Mbps (mean ± σ)";
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    private static Plot CostPerTb(CostReport cost)
    {
        var plot = new Plot();
        var bars = cost.Rows.Select((row, i) => new Bar
        {
            Position = i,
            Value = Math.Log10(Math.Max(row.TotalEp1UsdPerTb, 0.01)) + 2, // bars start at $0.01
            FillColor = row.Runtime == StudyCell.Embedded ? Colors.C0 : Colors.C1,
        }).ToList();
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(cost.Rows.Select((_, i) => (double)i).ToArray(), cost.Rows.Select(r => r.Cell).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 170;
        plot.Axes.Right.MinimumSize = 90;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            IntegerTicksOnly = true,
            LabelFormatter = v => "$" + Label(Math.Pow(10, v - 2)),
        };
        plot.Axes.Left.Label.Text = $"{cost.Currency} per TB (log scale)";
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    /// <summary>Ticks for an axis holding log10 values, labelled with the values themselves.</summary>
    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        IntegerTicksOnly = true,
        LabelFormatter = v => Label(Math.Pow(10, v)),
    };

    private static string Label(double value) => value.ToString(value >= 1000 ? "N0" : "G3", CultureInfo.InvariantCulture);
}
