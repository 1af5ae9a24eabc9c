using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AzNf.Study;

/// <summary>The files a study wrote.</summary>
public sealed record StudyFiles(string Json, string Markdown, string Html, IReadOnlyList<StudyChart> Charts);

/// <summary>
/// Writes a study's results as <c>study.json</c> (everything, every run), <c>study.md</c> and
/// <c>study.html</c> (one self-contained page, the charts embedded), with the charts as PNG and
/// SVG in <c>charts/</c>. The markdown and the page are built from the same sections.
/// </summary>
public static class StudyReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads the study.json a study wrote, to price and write it again.</summary>
    /// <exception cref="FormatException">The file is not a study's results; the message names it.</exception>
    public static StudyResults Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<StudyResults>(File.ReadAllText(path), Json)
                ?? throw new FormatException($"{Path.GetFileName(path)}: empty");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{Path.GetFileName(path)}: not the study.json of aznf study: {e.Message}", e);
        }
    }

    public static StudyFiles Write(StudyResults results, string folder)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Cost is null)
        {
            throw new ArgumentException("the results are not priced (StudyResults.Priced)", nameof(results));
        }
        Directory.CreateDirectory(folder);
        var charts = StudyCharts.Write(results, Path.Combine(folder, "charts"));
        string json = Path.Combine(folder, "study.json"), markdown = Path.Combine(folder, "study.md"), html = Path.Combine(folder, "study.html");
        File.WriteAllText(json, JsonSerializer.Serialize(results, Json));
        var sections = Sections(results);
        File.WriteAllText(markdown, Markdown(results, sections, charts, folder));
        File.WriteAllText(html, Html(results, sections, charts));
        return new StudyFiles(json, markdown, html, charts);
    }

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private sealed record Table(string[] Headers, List<string[]> Rows);

    private sealed record Section(string Title, string? Text, Table? Table);

    private static string Number(double value, string format = "N1") => double.IsNaN(value) ? "—" : value.ToString(format, C);

    /// <summary>A throughput: one decimal from 100 up, else three significant digits (a per-packet unit's 0.0123 Mbps is not 0.0).</summary>
    private static string Rate(double value, string large = "N1") => double.IsNaN(value) ? "—" : Math.Abs(value) >= 100 || value == 0 ? value.ToString(large, C) : value.ToString("G3", C);

    private static string RateSigma(Summary summary) => summary.Sigma is { } s ? Rate(s) : $"n/a (n={summary.N})";

    private static string Sigma(Summary summary, string format = "N1") => summary.Sigma is { } s ? s.ToString(format, C) : $"n/a (n={summary.N})";

    private static List<Section> Sections(StudyResults r)
    {
        var e = r.Environment;
        var sections = new List<Section>
        {
            new("Where this ran",
                $"{e.Machine}, {e.Cores} cores, {e.MemoryGiB.ToString("N1", C)} GiB, {e.Os}, {e.Runtime}; storage for the durable runtime: {e.Storage}; {e.Date}. " +
                "These are figures of this machine, not of Azure: the durable runtime here talks to the storage named, and the study's Lambda figures come from its own paper.",
                null),
            new("What ran", null, new Table(["step"], r.Plan.Select(p => new[] { p }).ToList())),
        };

        var nfTable = new Table(
            ["NF", "runtime", "unit", "n", "Mbps mean", "Mbps σ", "packets/s", "unit latency ms mean", "σ", "p50", "p99", "packets per unit", "storage requests per 1,000 packets", "vs Lambda"],
            []);
        foreach (string nf in StudyPlan.Nfs)
        {
            foreach (var cell in r.Cells.Where(c => c.Cell.Nf == nf))
            {
                var latency = cell.Latency;
                nfTable.Rows.Add([
                    nf, cell.Cell.Runtime, $"{cell.Cell.Granularity}/{cell.Cell.Mode}", cell.Mbps.N.ToString(C),
                    Rate(cell.Mbps.Mean), RateSigma(cell.Mbps), Rate(cell.PacketsPerSecond.Mean, "N0"),
                    Number(latency.Ms.Mean, "N2"), Sigma(latency.Ms, "N2"), Number(latency.P50, "N2"), Number(latency.P99, "N2"),
                    Number(cell.PacketsPerUnit, "N1"),
                    cell.StorageRequestsPer1000Packets is { } s ? Number(s) : "—",
                    cell.MbpsRatio is { } ratio ? Rate(ratio) + "×" : "— (no Lambda figure)",
                ]);
            }
            if (LambdaBaseline.For(nf) is { } lambda && r.Cells.Any(c => c.Cell.Nf == nf))
            {
                nfTable.Rows.Add([
                    nf, "AWS Lambda (2017)", "packet", "—", Number(lambda.MbpsMean, "N2"), Number(lambda.MbpsSigma, "N2"), "—",
                    Number(lambda.LatencyMsMean, "N2"), Number(lambda.LatencyMsSigma, "N2"), "—", "—", "1", "—", "1.00×",
                ]);
            }
        }
        sections.Add(new("Throughput and latency per NF, beside the study's Lambda figures",
            $"σ is the sample standard deviation over n runs (n/a with one run). Unit latency pools every unit of every run of the cell: the embedded runtime's unit is a partition's batch, the durable runtime's is its granularity's work unit (one orchestration). Lambda: {LambdaBaseline.Source}; its latency is per packet.",
            nfTable));

        var cost = r.Cost!;
        var costTable = new Table(
            ["cell", "Mbps", "unit p50 ms", "unit p99 ms", "storage req / 1,000 pkts", $"EP1 compute {cost.Currency}/TB", $"storage {cost.Currency}/TB", $"Event Hubs {cost.Currency}/TB", $"total (EP1) {cost.Currency}/TB", $"total (Flex) {cost.Currency}/TB", $"instances for {cost.Assumptions.TargetGbps.ToString("G", C)} Gbps"],
            cost.Rows.Select(row => new[]
            {
                row.Cell, Rate(row.Mbps), Number(row.LatencyP50Ms, "N2"), Number(row.LatencyP99Ms, "N2"),
                row.StorageRequestsPer1000Packets is { } s ? Number(s) : "—",
                Number(row.ComputeEp1UsdPerTb, "N2"), Number(row.StorageUsdPerTb, "N2"), Number(row.EventHubsUsdPerTb, "N2"),
                Number(row.TotalEp1UsdPerTb, "N2"), row.TotalFlexUsdPerTb is { } flex ? Number(flex, "N2") : "—",
                row.InstancesForTarget.ToString("N0", C),
            }).ToList());
        sections.Add(new("Granularity trade-off: cost and latency of the chain",
            "Per terabyte of wire bytes. " + string.Join(" ", cost.Notes), costTable));

        if (r.PartitionSweep.Count > 0)
        {
            sections.Add(new("Scaling: the chain against partitions (embedded)", null, Sweep("partitions", r.PartitionSweep)));
        }
        if (r.SizeSweep.Count > 0)
        {
            sections.Add(new("Scaling: the chain against frame size (embedded)", null, Sweep("frame bytes", r.SizeSweep)));
        }
        sections.Add(new("Memory per flow (embedded)",
            "Managed heap growth per live TCP flow carrying data, flow table and NF state included.",
            new Table(["NF", "live flows", "bytes per flow"], r.Memory.Select(m => new[] { m.Nf, m.Flows.ToString("N0", C), m.BytesPerFlow.ToString("N0", C) }).ToList())));
        sections.Add(new("Captures", null, new Table(
            ["used for", "what", "packets", "bytes", "mean frame bytes"],
            r.Captures.Select(c => new[] { c.Purpose, c.Path, c.Packets.ToString("N0", C), c.Bytes.ToString("N0", C), Number(c.MeanFrameBytes) }).ToList())));
        sections.Add(new("Prices (not checked live)",
            $"{cost.PricesDescription} As of {cost.PricesAsOf}.",
            new Table(["item", "price", "per", "source"], cost.Prices.Select(p => new[] { p.Key, p.Value.Price.ToString("G", C), p.Value.Unit, p.Value.Source }).ToList())));
        return sections;
    }

    private static Table Sweep(string x, IReadOnlyList<SweepPoint> points) => new(
        [x, "n", "Mbps mean", "Mbps σ", "packets/s"],
        points.Select(p => new[] { p.X.ToString(C), p.Mbps.N.ToString(C), Rate(p.Mbps.Mean), RateSigma(p.Mbps), Rate(p.PacketsPerSecond.Mean, "N0") }).ToList());

    private static string Markdown(StudyResults r, List<Section> sections, IReadOnlyList<StudyChart> charts, string folder)
    {
        var md = new StringBuilder();
        md.Append("# AzNf study (").Append(r.Environment.Date).AppendLine(")").AppendLine();
        foreach (var section in sections)
        {
            md.Append("## ").AppendLine(section.Title).AppendLine();
            if (section.Text is not null)
            {
                md.AppendLine(section.Text).AppendLine();
            }
            if (section.Table is { } table)
            {
                md.Append("| ").AppendJoin(" | ", table.Headers).AppendLine(" |");
                md.Append('|').AppendJoin("", table.Headers.Select(_ => "---|")).AppendLine();
                foreach (var row in table.Rows)
                {
                    md.Append("| ").AppendJoin(" | ", row.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))).AppendLine(" |");
                }
                md.AppendLine();
            }
        }
        md.AppendLine("## Charts").AppendLine();
        foreach (var chart in charts)
        {
            string relative = Path.GetRelativePath(folder, chart.PngPath).Replace('\\', '/');
            md.Append("![").Append(chart.Title).Append("](").Append(relative).AppendLine(")").AppendLine();
        }
        return md.ToString();
    }

    private static string Html(StudyResults r, List<Section> sections, IReadOnlyList<StudyChart> charts)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>AzNf study</title>")
            .AppendLine("<style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:.85em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #ddd;margin:.5em 0}.where{background:#fff8e0;padding:.5em 1em;border-left:4px solid #e0b000}</style></head><body>")
            .Append("<h1>AzNf study (").Append(E(r.Environment.Date)).AppendLine(")</h1>");
        foreach (var section in sections)
        {
            html.Append("<h2>").Append(E(section.Title)).AppendLine("</h2>");
            if (section.Text is not null)
            {
                html.Append(section.Title == "Where this ran" ? "<p class=\"where\">" : "<p>").Append(E(section.Text)).AppendLine("</p>");
            }
            if (section.Table is { } table)
            {
                html.Append("<table><tr>").AppendJoin("", table.Headers.Select(h => $"<th>{E(h)}</th>")).AppendLine("</tr>");
                foreach (var row in table.Rows)
                {
                    html.Append("<tr>").AppendJoin("", row.Select(cell => $"<td>{E(cell)}</td>")).AppendLine("</tr>");
                }
                html.AppendLine("</table>");
            }
        }
        html.AppendLine("<h2>Charts</h2>");
        foreach (var chart in charts)
        {
            // Embedded, so the page is one self-contained file.
            html.Append("<figure><img alt=\"").Append(E(chart.Title)).Append("\" src=\"data:image/png;base64,")
                .Append(Convert.ToBase64String(File.ReadAllBytes(chart.PngPath))).Append("\"><figcaption>").Append(E(chart.Title)).AppendLine("</figcaption></figure>");
        }
        html.AppendLine("</body></html>");
        return html.ToString();
    }
}
