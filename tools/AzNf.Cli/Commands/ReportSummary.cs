using AzNf.NetworkFunctions.Chain;
using Spectre.Console;

namespace AzNf.Cli.Commands;

/// <summary>The human summary of a <see cref="RunReport"/> printed after a run.</summary>
internal static class ReportSummary
{
    public static void Write(IAnsiConsole console, RunReport report)
    {
        var totals = report.Totals;
        var table = new Table().Title($"[bold]{Markup.Escape(report.Input.Chain)}[/] on {Markup.Escape(Path.GetFileName(report.Input.Capture))}, {report.Input.Partitions} partition(s)")
            .AddColumn("packets").AddColumn("bytes").AddColumn("forwarded").AddColumn("dropped").AddColumn("unparsed").AddColumn("flows").AddColumn("alerts");
        table.AddRow(
            totals.Packets.ToString("N0"), totals.Bytes.ToString("N0"), totals.Forwarded.ToString("N0"), totals.Dropped.ToString("N0"),
            totals.Unparsed.Values.Sum().ToString("N0"), report.Flows.Count.ToString("N0"), report.Alerts.Count.ToString("N0"));
        console.Write(table);

        var stages = new Table().AddColumn("stage").AddColumn("type").AddColumn("in").AddColumn("out").AddColumn("drops").AddColumn("errors");
        foreach (var nf in report.Nfs)
        {
            stages.AddRow(Markup.Escape(nf.Name), nf.Kind, nf.PacketsIn.ToString("N0"), nf.PacketsOut.ToString("N0"), nf.Drops.ToString("N0"), nf.Errors.ToString("N0"));
        }
        console.Write(stages);

        if (report.Alerts.Count > 0)
        {
            var alerts = new Table().AddColumn("sid").AddColumn("msg").AddColumn("count");
            foreach (var group in report.Alerts.GroupBy(a => (a.Sid, a.Msg)).OrderByDescending(g => g.Count()).Take(10))
            {
                alerts.AddRow(group.Key.Sid.ToString(), Markup.Escape(group.Key.Msg), group.Count().ToString("N0"));
            }
            console.Write(alerts);
        }
        foreach (var (reason, count) in totals.Unparsed)
        {
            console.MarkupLine($"[yellow]unparsed[/] {Markup.Escape(reason)}: {count:N0}");
        }
    }
}
