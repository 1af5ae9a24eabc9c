using System.ComponentModel;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary><c>aznf run</c>: a capture through a chain on the embedded runtime.</summary>
internal sealed class RunCommand : Command<RunCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--capture <FILE>")]
        [Description("pcap or pcapng file to run.")]
        public string Capture { get; init; } = "";

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

        [CommandOption("--inline")]
        [Description("With --partitions 1: process on the reading thread (one thread in all).")]
        public bool Inline { get; init; }

        [CommandOption("-r|--report <FILE>")]
        [Description("Write the JSON report here.")]
        public string? Report { get; init; }

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
            if (string.IsNullOrWhiteSpace(Capture))
            {
                return ValidationResult.Error("--capture FILE is required");
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
            if (!durable && (Granularity is not null || Mode is not null || TaskHub is not null || Shards is not null || BatchMegabytes is not null || ControlQueues is not null || PollMilliseconds is not null))
            {
                return ValidationResult.Error("--granularity, --mode, --task-hub, --shards, --batch-mb, --control-queues and --poll-ms need --runtime durable");
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
        CaptureReader capture;
        try
        {
            chain = ChainDefinition.Load(settings.Chain ?? SamplePaths.FullChain);
            capture = CaptureReader.Open(settings.Capture, new CaptureReaderOptions
            {
                Defrag = settings.Defrag == "off"
                    ? new DefragOptions { Enabled = false }
                    : new DefragOptions { Policy = Enum.Parse<DefragPolicy>(settings.Defrag, ignoreCase: true) },
            });
        }
        catch (Exception e) when (e is ConfigException or CaptureFormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }

        if (settings.Runtime == "durable")
        {
            using (capture)
            {
                return DurableRun.Execute(settings, settings.Chain ?? SamplePaths.FullChain, chain, capture, cancellation);
            }
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

        EngineResult result;
        using (capture)
        {
            try
            {
                result = settings.Quiet || capture.Length is null or 0 || !console.Profile.Capabilities.Interactive
                    ? ChainEngine.Run(chain, capture, options, cancellation: cancellation)
                    : RunWithProgress(console, chain, capture, options, cancellation);
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

        var report = RunReport.From(result, settings.Capture, capture.ReportCounts());
        return Finish(settings, report);
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
            ReportSummary.Write(AnsiConsole.Console, report);
        }
        return ExitCodes.Ok;
    }

    private static EngineResult RunWithProgress(IAnsiConsole console, ChainDefinition chain, CaptureReader capture, EngineOptions options, CancellationToken cancellation) =>
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var task = progress.AddTask(Path.GetFileName(capture.Name), maxValue: capture.Length!.Value);
                return ChainEngine.Run(chain, capture, options, position => task.Value = position, cancellation);
            });
}
