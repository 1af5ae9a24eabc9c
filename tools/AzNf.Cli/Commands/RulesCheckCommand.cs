using System.ComponentModel;
using System.Globalization;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary>
/// <c>aznf rules check</c>: loads IDS rule files as a chain's IDS stage would and reports how many
/// load, how many are rejected by reason with the first <c>file:line</c> of each, and duplicate sids.
/// </summary>
internal sealed class RulesCheckCommand : Command<RulesCheckCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("Suricata rule files (.rules), loaded as one rule set in the order given.")]
        public string[] Files { get; init; } = [];

        [CommandOption("--chain <FILE>")]
        [Description("Take rule variables from this chain file. Default: Suricata 7's stock address and port groups.")]
        public string? Chain { get; init; }

        [CommandOption("--var <NAME=VALUE>")]
        [Description("Set one variable (repeatable), over the chain's or the defaults, e.g. --var HOME_NET=[10.0.0.0/8].")]
        public string[] Variables { get; init; } = [];

        [CommandOption("--write-loaded <FILE>")]
        [Description("Write the rules that load to FILE, one per line (e.g. to give another engine the same rule set).")]
        public string? WriteLoaded { get; init; }

        [CommandOption("--list")]
        [Description("Also print every rejected rule's file:line and reason.")]
        public bool List { get; init; }

        public override ValidationResult Validate()
        {
            if (Files.Length == 0)
            {
                return ValidationResult.Error("name at least one rules FILE");
            }
            foreach (string variable in Variables)
            {
                int equals = variable.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == variable.Length - 1)
                {
                    return ValidationResult.Error($"--var '{variable}': expected NAME=VALUE");
                }
            }
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var variables = new Dictionary<string, string>(SuricataVariables.Defaults, StringComparer.Ordinal);
        try
        {
            if (settings.Chain is not null)
            {
                variables = new Dictionary<string, string>(ChainDefinition.Load(settings.Chain).Variables, StringComparer.Ordinal);
            }
            foreach (string variable in settings.Variables)
            {
                int equals = variable.IndexOf('=', StringComparison.Ordinal);
                variables[variable[..equals].TrimStart('$')] = variable[(equals + 1)..];
            }
            var texts = new List<RuleText>();
            foreach (string file in settings.Files)
            {
                texts.Add(new RuleText(Path.GetFileName(file), File.ReadAllText(file)));
            }
            var diagnostics = new ConfigDiagnostics();
            var definition = IdsDefinition.Parse(texts, variables, diagnostics: diagnostics);
            Print(definition, diagnostics, settings.List);
            if (settings.WriteLoaded is not null && !TryWriteLoaded(settings.WriteLoaded, definition, texts))
            {
                return ExitCodes.CannotWriteOutput;
            }
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ConfigException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static bool TryWriteLoaded(string path, IdsDefinition definition, List<RuleText> texts)
    {
        try
        {
            // In file order (the definition holds them in evaluation order).
            var fileOrder = texts.Select((t, i) => (t.Name, i)).GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First().i);
            File.WriteAllLines(path, definition.Rules
                .OrderBy(r => fileOrder[r.Location[..r.Location.LastIndexOf(':')]])
                .ThenBy(r => int.Parse(r.Location[(r.Location.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))
                .Select(r => r.Text));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write {path}: {e.Message}");
            return false;
        }
    }

    private static void Print(IdsDefinition definition, ConfigDiagnostics diagnostics, bool list)
    {
        int total = definition.RulesLoaded + definition.RulesRejected;
        double share = total == 0 ? 0 : 100.0 * definition.RulesLoaded / total;
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "[bold]{0:N0}[/] of {1:N0} rules load ({2:F1} %), {3:N0} rejected",
            definition.RulesLoaded, total, share, definition.RulesRejected);
        if (definition.RulesRejected == 0)
        {
            return;
        }
        var table = new Table().AddColumn("reason").AddColumn(new TableColumn("rules").RightAligned()).AddColumn("first at");
        foreach (var rejection in definition.Rejections.ByReason)
        {
            table.AddRow(Markup.Escape(rejection.Reason), rejection.Count.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(rejection.FirstLocation));
        }
        AnsiConsole.Write(table);
        if (list)
        {
            foreach (var warning in diagnostics.Warnings)
            {
                Console.WriteLine(warning.ToString());
            }
        }
    }
}
