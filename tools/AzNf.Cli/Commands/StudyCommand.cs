using System.ComponentModel;
using System.Globalization;
using AzNf.Azurite;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;
using AzNf.Study;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary>
/// <c>aznf study</c>: the 2017 Lambda study's matrix on this machine (each NF and the chain, the
/// embedded and durable runtimes, every granularity and mode), its cost model, charts and
/// report: study.md, study.html, study.json and charts/ in the output folder.
/// </summary>
internal sealed class StudyCommand : Command<StudyCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--quick")]
        [Description("A small study (tiny captures, few runs) that fills every cell it lists, for tests and a first look; the full one takes many minutes.")]
        public bool Quick { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Where study.md, study.html, study.json and charts/ go (default study).")]
        public string Out { get; init; } = "study";

        [CommandOption("--capture <FILE>")]
        [Description("Run the NF cells over this capture instead of generated traffic (the durable cells too: keep it small).")]
        public string? Capture { get; init; }

        [CommandOption("--runtimes <LIST>")]
        [Description("embedded, durable or both (default embedded,durable). The durable runtime uses AZNF_STORAGE, else a private Azurite.")]
        public string Runtimes { get; init; } = "embedded,durable";

        [CommandOption("--repeat <N>")]
        [Description("Measured runs per embedded cell and sweep point (default: 3 quick, 5 full).")]
        public int? Repeat { get; init; }

        [CommandOption("--durable-repeat <N>")]
        [Description("Measured runs per durable cell (default: 1 quick, 3 full).")]
        public int? DurableRepeat { get; init; }

        [CommandOption("--flows <N>")]
        [Description("Flows in the generated capture of the embedded and durable batch cells (default: 400 quick, 100000 full).")]
        public int? Flows { get; init; }

        [CommandOption("--partitions <N>")]
        [Description("Partitions of the NF cells (default: 2 quick, the core count full).")]
        public int? Partitions { get; init; }

        [CommandOption("--results <FILE>")]
        [Description("Measure nothing: price and write again the study.json of an earlier study (e.g. with --prices of your own).")]
        public string? Results { get; init; }

        [CommandOption("--prices <FILE>")]
        [Description("The cost model's price table (default: the shipped samples/prices/azure-list-prices.json, not checked live).")]
        public string? Prices { get; init; }

        [CommandOption("--target-gbps <G>")]
        [Description("The rate the cost model sizes instance counts for (default 10).")]
        public double TargetGbps { get; init; } = 10;

        [CommandOption("--flowlet <N>")]
        [Description("Packets per Event Hubs event in the cost model, as aznf send --flowlet (default 16).")]
        public int Flowlet { get; init; } = 16;

        public override ValidationResult Validate()
        {
            var runtimes = RuntimeList();
            if (runtimes.Count == 0 || runtimes.Any(r => r is not (StudyCell.Embedded or StudyCell.Durable)))
            {
                return ValidationResult.Error($"--runtimes takes embedded, durable or both, not '{Runtimes}'");
            }
            if (Results is not null && (Quick || Capture is not null || Repeat is not null || DurableRepeat is not null || Partitions is not null || Flows is not null || Runtimes != "embedded,durable"))
            {
                return ValidationResult.Error("--results measures nothing: it takes only --out, --prices, --target-gbps and --flowlet");
            }
            return Repeat is < 1 or > 100 ? ValidationResult.Error("--repeat must be 1..100")
                : DurableRepeat is < 1 or > 100 ? ValidationResult.Error("--durable-repeat must be 1..100")
                : Partitions is < 1 or > 1024 ? ValidationResult.Error("--partitions must be 1..1024")
                : Flows is < 1 or > 10_000_000 ? ValidationResult.Error("--flows must be 1..10000000")
                : TargetGbps is <= 0 or > 100_000 ? ValidationResult.Error("--target-gbps must be in (0, 100000]")
                : Flowlet is < 1 or > 1024 ? ValidationResult.Error("--flowlet must be 1..1024")
                : ValidationResult.Success();
        }

        public List<string> RuntimeList() => Runtimes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var runtimes = settings.RuntimeList();
        var plan = settings.Quick ? StudyPlan.Quick(runtimes) : StudyPlan.Full(runtimes);
        plan = plan with
        {
            Repeat = settings.Repeat ?? plan.Repeat,
            DurableRepeat = settings.DurableRepeat ?? plan.DurableRepeat,
            Partitions = settings.Partitions ?? plan.Partitions,
            Flows = settings.Flows ?? plan.Flows,
        };
        string pricesPath = settings.Prices ?? Path.Combine(SamplePaths.Root, "prices", "azure-list-prices.json");
        Prices prices;
        try
        {
            prices = AzNf.Study.Prices.Load(pricesPath);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: --prices: {e.Message}");
            return ExitCodes.BadInput;
        }
        if (settings.Results is { } earlier)
        {
            return Reprice(earlier, prices, settings);
        }
        if (settings.Capture is { } capture && !File.Exists(capture))
        {
            Console.Error.WriteLine($"error: --capture: {capture}: no such file");
            return ExitCodes.BadInput;
        }
        var console = AnsiConsole.Console;
        bool interactive = console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;
        Console.WriteLine($"aznf study{(settings.Quick ? " --quick" : "")}: {plan.Cells.Count} cells; output {settings.Out}");
        foreach (string line in plan.Describe())
        {
            Console.WriteLine("  " + line);
        }
        string work = Path.Combine(Path.GetTempPath(), "aznf-study-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var options = new StudyOptions
        {
            Plan = plan,
            SamplesRoot = SamplePaths.Root,
            CapturePath = settings.Capture,
            Prices = prices,
            Cost = new CostAssumptions(settings.TargetGbps, settings.Flowlet),
            StorageConnectionString = Environment.GetEnvironmentVariable(DurableRun.StorageVariable),
            WorkFolder = work,
        };
        try
        {
            StudyResults results;
            if (interactive)
            {
                results = console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(progress =>
                    {
                        var task = progress.AddTask("study", maxValue: 1);
                        return StudyRunner.RunAsync(options, new BarProgress(task, console), cancellation).GetAwaiter().GetResult();
                    });
            }
            else
            {
                results = StudyRunner.RunAsync(options, new LineProgress(), cancellation).GetAwaiter().GetResult();
            }
            var files = StudyReport.Write(results, settings.Out);
            Console.WriteLine($"wrote {files.Markdown}, {files.Html}, {files.Json} and {files.Charts.Count} charts (PNG and SVG) in {Path.Combine(settings.Out, "charts")}");
            Console.WriteLine($"ran on {results.Environment.Machine}, {results.Environment.Cores} cores; durable storage: {results.Environment.Storage}; prices not checked live ({prices.AsOf})");
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine("error: study interrupted: nothing written");
            return ExitCodes.Interrupted;
        }
        catch (AzuriteException e)
        {
            Console.Error.WriteLine($"error: durable runtime: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException or TimeoutException || e.InnerException is Azure.RequestFailedException
            || (e is FormatException or ArgumentException && options.StorageConnectionString is not null))
        {
            // The storage under the durable cells went away (or never answered): as aznf run --runtime durable, one line.
            var cause = e.InnerException is Azure.RequestFailedException inner ? inner : e;
            string source = options.StorageConnectionString is null ? "the private Azurite" : $"the storage in {DurableRun.StorageVariable}";
            Console.Error.WriteLine($"error: durable runtime: {source}: {cause.Message.Split('\n')[0]}");
            return ExitCodes.Unavailable;
        }
        catch (StudyRunException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Software;
        }
        catch (Exception e) when (e is CaptureFormatException or ConfigException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write the study to {settings.Out}: {e.Message}");
            return ExitCodes.CannotWriteOutput;
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static int Reprice(string path, Prices prices, Settings settings)
    {
        StudyResults results;
        try
        {
            results = StudyReport.Read(path);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: --results: {e.Message}");
            return ExitCodes.BadInput;
        }
        try
        {
            var files = StudyReport.Write(results.Priced(prices, new CostAssumptions(settings.TargetGbps, settings.Flowlet)), settings.Out);
            Console.WriteLine($"priced the study of {results.Environment.Date} ({results.Cells.Count} cells, measured on {results.Environment.Machine}) again: wrote {files.Markdown}, {files.Html}, {files.Json} and {files.Charts.Count} charts; prices not checked live ({prices.AsOf})");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write the study to {settings.Out}: {e.Message}");
            return ExitCodes.CannotWriteOutput;
        }
    }

    /// <summary>Plain lines, one per step: what a redirected output or a CI log shows.</summary>
    private sealed class LineProgress : IStudyProgress
    {
        public void Started(int step, int steps, string name) => Console.WriteLine($"[{step}/{steps}] {name} ...");

        public void Finished(int step, int steps, string name, string outcome) => Console.WriteLine($"[{step}/{steps}] {name}: {outcome}");
    }

    /// <summary>A Spectre progress bar over the steps, each finished step printed above it.</summary>
    private sealed class BarProgress(ProgressTask task, IAnsiConsole console) : IStudyProgress
    {
        public void Started(int step, int steps, string name)
        {
            task.MaxValue = steps;
            task.Description = Markup.Escape($"[{step}/{steps}] {name}");
        }

        public void Finished(int step, int steps, string name, string outcome)
        {
            task.Value = step;
            console.MarkupLine($"[grey]{Markup.Escape($"[{step}/{steps}]")}[/] {Markup.Escape(name)}: [bold]{Markup.Escape(outcome)}[/]");
        }
    }
}
