using System.ComponentModel;
using AzNf.NetworkFunctions.Chain;
using AzNf.Outputs;
using AzNf.Outputs.Captures;
using AzNf.Outputs.Eve;
using AzNf.Outputs.Metrics;
using System.Globalization;
using AzNf.Partitions;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary><c>aznf run</c>: a capture through a chain on the embedded runtime.</summary>
internal sealed class RunCommand : Command<RunCommand.Settings>
{
    internal sealed class Settings : CaptureInputSettings
    {
        [CommandOption("--chain <FILE>")]
        [Description("Chain file (JSON). Default: the sample full chain counter → firewall → IDS.")]
        public string? Chain { get; init; }

        [CommandOption("-p|--partitions <N>")]
        [Description("Partitions, one thread each (default: core count).")]
        public int? Partitions { get; init; }

        [CommandOption("--batch <N>")]
        [Description("Packets per partition batch (default 256; durable batch granularity 65536, the most).")]
        public int? Batch { get; init; }

        [CommandOption("--batch-mb <MB>")]
        [Description("Durable runtime: a partition batch is cut once its frames reach this many MB (default 64).")]
        public int? BatchMegabytes { get; init; }

        [CommandOption("--control-queues <N>")]
        [Description("Durable runtime: control-queue partitions of the task hub, 1..16 (default 2). Each is polled on its own; more spread orchestrations and entities over more workers.")]
        public int? ControlQueues { get; init; }

        [CommandOption("--poll-ms <MS>")]
        [Description("Durable runtime: longest wait between polls of an empty queue (default 1000). Shorter wakes faster for work sent by another process, at more storage requests.")]
        public int? PollMilliseconds { get; init; }

        [CommandOption("--shards <N>")]
        [Description("Durable batch granularity: flow shards (flows entities) per chain (default 4).")]
        public int? Shards { get; init; }

        [CommandOption("--flow-map-cache <FLOWS>")]
        [Description("Durable batch granularity: flows the worker keeps decoded in the maps of the flow shards it stepped last (default 200000; 0: none, every step reads its shard's map).")]
        public int? FlowMapCache { get; init; }

        [CommandOption("--inline")]
        [Description("With --partitions 1: process on the reading thread (one thread in all).")]
        public bool Inline { get; init; }

        [CommandOption("-r|--report <FILE>")]
        [Description("Write the JSON report here.")]
        public string? Report { get; init; }

        [CommandOption("--eve <FILE>")]
        [Description("Write EVE JSON (Suricata's format: alert, flow, drop and stats events, one per line) to FILE; --eve=- writes to standard output (the summary then goes to standard error).")]
        public string? Eve { get; init; }

        [CommandOption("--eve-rotate <SIZE>")]
        [Description("Rotate the EVE file once it would pass SIZE (e.g. 100MB, 1GB): eve.json becomes eve.json.N and a new one starts.")]
        public string? EveRotate { get; init; }

        [CommandOption("--eve-stats <SECONDS>")]
        [Description("With --eve: a stats event every SECONDS while the run goes (default 8, as Suricata; 0: only the final one).")]
        public int? EveStats { get; init; }

        [CommandOption("--write-forwarded <FILE>")]
        [Description("Write the packets the chain forwarded to FILE (pcap, nanosecond timestamps, in capture order).")]
        public string? WriteForwarded { get; init; }

        [CommandOption("--write-dropped <FILE>")]
        [Description("Write the packets the chain dropped to FILE (pcap, nanosecond timestamps, in capture order).")]
        public string? WriteDropped { get; init; }

        [CommandOption("--write-rejects <FILE>")]
        [Description("Write the answers of the IDS's reject rules (TCP resets, ICMP port unreachables) to FILE (pcap, nanosecond timestamps, in the order of the packets answered).")]
        public string? WriteRejects { get; init; }

        [CommandOption("--metrics")]
        [Description("Print the run's metrics after the summary (the AzNf meter, which any metrics listener such as dotnet-counters can also read while the run goes: packets by outcome and per stage, drops and alerts by reason and sid, flows, batch latency; storage requests on the durable runtime).")]
        public bool Metrics { get; init; }

        [CommandOption("--defrag <POLICY>")]
        [Description("IP defragmentation before packets go to partitions: bsd (default, Suricata's), first, last, or off.")]
        public string Defrag { get; init; } = "bsd";

        [CommandOption("--runtime <RUNTIME>")]
        [Description("embedded (default: the chain in this process) or durable (orchestrations and entities on DurableTask.Core + Azure Storage: AZNF_STORAGE, else a private Azurite).")]
        public string Runtime { get; init; } = "embedded";

        [CommandOption("--granularity <UNIT>")]
        [Description("Durable runtime: packet, flowlet, flow or batch (default: the chain file's, else batch).")]
        public string? Granularity { get; init; }

        [CommandOption("--mode <MODE>")]
        [Description("Durable runtime: fused (one activity per unit) or staged (one per NF); default: the chain file's, else fused.")]
        public string? Mode { get; init; }

        [CommandOption("--task-hub <NAME>")]
        [Description("Durable runtime: task hub name (letters and digits); reuse it to resume an interrupted run. Default: a new one per run.")]
        public string? TaskHub { get; init; }

        [CommandOption("-q|--quiet")]
        [Description("No progress bar or summary table.")]
        public bool Quiet { get; init; }

        public override ValidationResult Validate()
        {
            if (Defrag is not ("bsd" or "first" or "last" or "off"))
            {
                return ValidationResult.Error("--defrag must be bsd, first, last or off");
            }
            if (ValidateInput() is { Successful: false } input)
            {
                return input;
            }
            if (Interface is not null && Write is null && (WriteForwarded is not null || WriteDropped is not null))
            {
                return ValidationResult.Error("--write-forwarded and --write-dropped with --interface need --write FILE (they read the packets again from it)");
            }
            if (EveRotate is not null && (Eve is null or "-"))
            {
                return ValidationResult.Error("--eve-rotate needs --eve FILE (standard output does not rotate)");
            }
            if (EveStats is not null && Eve is null)
            {
                return ValidationResult.Error("--eve-stats needs --eve");
            }
            if (EveStats is < 0 or > 86_400)
            {
                return ValidationResult.Error("--eve-stats must be 0..86400 seconds");
            }
            if (EveRotate is not null && !ByteSize.TryParse(EveRotate, out _))
            {
                return ValidationResult.Error($"--eve-rotate must be a size such as 500KB, 100MB or 1GB, not '{EveRotate}'");
            }
            if (Runtime == "durable" && (WriteForwarded is not null || WriteDropped is not null || WriteRejects is not null))
            {
                return ValidationResult.Error("--write-forwarded, --write-dropped and --write-rejects need --runtime embedded (the durable runtime does not return per-packet verdicts yet)");
            }
            if (Partitions is < 1 or > 1024)
            {
                return ValidationResult.Error("--partitions must be 1..1024");
            }
            if (Inline && Partitions != 1)
            {
                return ValidationResult.Error("--inline needs --partitions 1");
            }
            if (Batch is < 1 or > 65_536)
            {
                return ValidationResult.Error("--batch must be 1..65536");
            }
            if (Runtime is not ("embedded" or "durable"))
            {
                return ValidationResult.Error($"--runtime must be embedded or durable, not '{Runtime}'");
            }
            bool durable = Runtime == "durable";
            if (!durable && (Granularity is not null || Mode is not null || TaskHub is not null || Shards is not null || FlowMapCache is not null || BatchMegabytes is not null || ControlQueues is not null || PollMilliseconds is not null))
            {
                return ValidationResult.Error("--granularity, --mode, --task-hub, --shards, --flow-map-cache, --batch-mb, --control-queues and --poll-ms need --runtime durable");
            }
            if (ControlQueues is < 1 or > 16)
            {
                return ValidationResult.Error("--control-queues must be 1..16");
            }
            if (PollMilliseconds is < 1 or > 60_000)
            {
                return ValidationResult.Error("--poll-ms must be 1..60000");
            }
            if (Shards is < 1 or > 4096)
            {
                return ValidationResult.Error("--shards must be 1..4096");
            }
            if (FlowMapCache is < 0 or > 10_000_000)
            {
                return ValidationResult.Error("--flow-map-cache must be 0..10000000");
            }
            if (BatchMegabytes is < 1 or > 256)
            {
                return ValidationResult.Error("--batch-mb must be 1..256");
            }
            if (durable && Inline)
            {
                return ValidationResult.Error("--inline is for the embedded runtime");
            }
            if (Granularity is not null && !ChainQosNames.TryParse(Granularity, out ChainGranularity _))
            {
                return ValidationResult.Error($"--granularity must be packet, flowlet, flow or batch, not '{Granularity}'");
            }
            if (Mode is not null && !ChainQosNames.TryParse(Mode, out ChainMode _))
            {
                return ValidationResult.Error($"--mode must be fused or staged, not '{Mode}'");
            }
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var console = AnsiConsole.Console;
        ChainDefinition chain;
        var readerOptions = new CaptureReaderOptions
        {
            Defrag = settings.Defrag == "off"
                ? new DefragOptions { Enabled = false }
                : new DefragOptions { Policy = Enum.Parse<DefragPolicy>(settings.Defrag, ignoreCase: true) },
        };
        try
        {
            string chainFile = settings.Chain ?? SamplePaths.FullChain;
            chain = ChainDefinition.Load(chainFile);
            if (settings.Runtime == "durable")
            {
                AzNf.Orchestrations.Chains.ChainCompiler.RequireDurable(chain, chainFile);
            }
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        if (CaptureInput.Open(settings, readerOptions, cancellation, out var input) is var opened && opened != ExitCodes.Ok)
        {
            return opened;
        }
        using var inputScope = input!;
        var capture = input!.Reader;

        EveOutput? eve;
        try
        {
            eve = OpenEve(settings);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {settings.Eve}: cannot write the EVE output: {e.Message}");
            return ExitCodes.CannotWriteOutput;
        }
        using var eveFile = eve?.File;
        var started = DateTimeOffset.UtcNow;
        // Periodic stats read the embedded partitions' counters; a durable run writes its one at the end.
        using var liveStats = eve is not null && settings.Runtime == "embedded" && (settings.EveStats ?? 8) > 0
            ? eve.StartStats(TimeSpan.FromSeconds(settings.EveStats ?? 8))
            : null;
        // Always on the AzNf meter, so dotnet-counters or an exporter can watch any run; with no listener it costs a check per batch.
        using var metrics = new ChainMetrics(chain);
        using var totals = settings.Metrics ? new MetricTotals(metrics) : null;

        if (settings.Runtime == "durable")
        {
            int code;
            using (capture)
            {
                code = DurableRun.Execute(settings, settings.Chain ?? SamplePaths.FullChain, chain, capture, eve, metrics, cancellation);
            }
            WriteMetrics(settings, totals);
            return code;
        }

        var options = new EngineOptions
        {
            Partitions = settings.Partitions ?? Environment.ProcessorCount,
            BatchPackets = settings.Batch ?? 256,
            Inline = settings.Inline,
        };
        foreach (var warning in chain.Diagnostics.Warnings)
        {
            Console.Error.WriteLine($"warning: {warning}");
        }

        var dropped = settings.WriteForwarded is not null || settings.WriteDropped is not null ? new DroppedPackets() : null;
        var rejects = settings.WriteRejects is not null ? new RejectAnswers() : null;
        using var rewritten = settings.WriteForwarded is not null && chain.Stages.Any(s => s.RewritesPackets) ? new RewrittenFrames() : null;
        var output = ChainOutputs.Of(eve, dropped, rejects, metrics, rewritten);
        EngineResult result;
        using (capture)
        {
            try
            {
                result = settings.Quiet || settings.Eve == "-" || capture.Length is null or 0 || !console.Profile.Capabilities.Interactive
                    ? ChainEngine.Run(chain, capture, options, cancellation: cancellation, output: output)
                    : RunWithProgress(console, chain, capture, options, output, cancellation);
            }
            catch (PartitionsFailedException e)
            {
                return PartitionsFailed(e);
            }
            foreach (var (code, count) in capture.Warnings.Counts)
            {
                Console.Error.WriteLine($"warning: {capture.Name}: {code} ×{count}");
            }
        }

        var report = RunReport.From(result, capture.Name, capture.ReportCounts());
        if (result.Interrupted)
        {
            Console.Error.WriteLine($"interrupted after {result.FramesRead} packets: the report covers them (input.interrupted)");
        }
        if (eve is not null && FinishEve(settings, eve, report, started) is var eveCode && eveCode != ExitCodes.Ok)
        {
            return eveCode;
        }
        if (dropped is not null)
        {
            try
            {
                var written = VerdictCaptures.Write(input.File!, readerOptions, dropped.Sorted(), settings.WriteForwarded, settings.WriteDropped, result.FramesRead, rewritten);
                Status(settings, $"captures: {written.Forwarded} forwarded packets{(settings.WriteForwarded is null ? " (not written)" : $" to {settings.WriteForwarded}")}, {written.Dropped} dropped{(settings.WriteDropped is null ? " (not written)" : $" to {settings.WriteDropped}")}");
                if (written.OtherLinkType > 0)
                {
                    Console.Error.WriteLine($"warning: {written.OtherLinkType} packets of another link type than the capture's first were left out of the written captures (a pcap file has one link type)");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: cannot write the forwarded/dropped captures: {e.Message}");
                return ExitCodes.CannotWriteOutput;
            }
        }
        if (rejects is not null)
        {
            try
            {
                var written = RejectAnswers.Write(settings.WriteRejects!, rejects.Sorted());
                Status(settings, $"rejects: {written.Written} answers to {settings.WriteRejects}");
                if (written.OtherLinkType > 0)
                {
                    Console.Error.WriteLine($"warning: {written.OtherLinkType} answers of another link type than the first were left out of {settings.WriteRejects} (a pcap file has one link type)");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: cannot write the reject answers: {e.Message}");
                return ExitCodes.CannotWriteOutput;
            }
        }
        int finished = Finish(settings, report);
        WriteMetrics(settings, totals);
        return finished == ExitCodes.Ok && result.Interrupted ? ExitCodes.Interrupted : finished;
    }

    /// <summary>The metrics table, after the summary (on standard error when standard output carries EVE).</summary>
    private static void WriteMetrics(Settings settings, MetricTotals? totals)
    {
        if (totals is null)
        {
            return;
        }
        var table = new Table().AddColumns("metric", "tags", "value");
        foreach (var series in totals.Read())
        {
            string value = series.Sum is { } sum
                ? string.Create(CultureInfo.InvariantCulture, $"{series.Value:N0} recorded, mean {sum / Math.Max(1, series.Value):F2}, max {series.Max:F2}")
                : series.Value.ToString("N0", CultureInfo.InvariantCulture);
            table.AddRow(Markup.Escape(series.Instrument), Markup.Escape(series.Tags.Replace("aznf.", "", StringComparison.Ordinal)), value);
        }
        SummaryConsole(settings).Write(table);
    }

    private static IAnsiConsole SummaryConsole(Settings settings) =>
        settings.Eve == "-"
            ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) })
            : AnsiConsole.Console;

    private static EveOutput? OpenEve(Settings settings)
    {
        if (settings.Eve is not { } path)
        {
            return null;
        }
        long rotate = settings.EveRotate is { } size && ByteSize.TryParse(size, out long bytes) ? bytes : 0;
        return new EveOutput(EveFile.Open(path, rotate));
    }

    /// <summary>Adds the stats event, flushes the EVE file and says what went into it.</summary>
    internal static int FinishEve(Settings settings, EveOutput eve, RunReport report, DateTimeOffset started)
    {
        eve.StopStats();
        try
        {
            eve.WriteStats(report, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow - started);
            eve.File.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {eve.File.Name}: cannot write the EVE output: {e.Message}");
            return ExitCodes.CannotWriteOutput;
        }
        if (eve.File.Name != "-")
        {
            var counts = eve.EventCounts;
            string rotated = eve.File.Rotated.Count > 0 ? $", {eve.File.Rotated.Count} rotated files before it" : "";
            Status(settings, $"eve: {counts["alert"]} alerts, {counts["flow"]} flows, {counts["drop"]} drops, {counts["stats"]} stats to {eve.File.Name}{rotated}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>A progress line on standard error, unless quiet.</summary>
    internal static void Status(Settings settings, string line)
    {
        if (!settings.Quiet)
        {
            Console.Error.WriteLine(line);
        }
    }

    /// <summary>A partition's handler threw: one line per failed partition, and the run ends without a report.</summary>
    internal static int PartitionsFailed(PartitionsFailedException e)
    {
        foreach (var failure in e.Failures)
        {
            Console.Error.WriteLine($"error: {failure.Describe()}");
        }
        return ExitCodes.Software;
    }

    /// <summary>Writes the report where asked and the summary table unless quiet.</summary>
    internal static int Finish(Settings settings, RunReport report)
    {
        if (settings.Report is { } path)
        {
            try
            {
                using var stream = File.Create(path);
                report.WriteJson(stream);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {path}: cannot write the report: {e.Message}");
                return ExitCodes.CannotWriteOutput;
            }
        }
        if (!settings.Quiet)
        {
            // Standard output carries the EVE lines when asked to: the table goes to standard error then.
            ReportSummary.Write(SummaryConsole(settings), report);
        }
        return ExitCodes.Ok;
    }

    private static EngineResult RunWithProgress(IAnsiConsole console, ChainDefinition chain, CaptureReader capture, EngineOptions options, IChainOutput? output, CancellationToken cancellation) =>
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask(Path.GetFileName(capture.Name), maxValue: capture.Length!.Value);
                return ChainEngine.Run(chain, capture, options, position => task.Value = position, cancellation, output);
            });
}
