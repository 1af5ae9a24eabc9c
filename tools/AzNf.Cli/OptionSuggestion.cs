using System.Reflection;
using AzNf.Cli.Commands;
using Spectre.Console.Cli;

namespace AzNf.Cli;

/// <summary>For a misspelt option, the closest one its command has (<c>--reprot</c> → <c>--report</c>).</summary>
internal static class OptionSuggestion
{
    private static readonly Dictionary<string, Type> SettingsByCommand = new(StringComparer.Ordinal)
    {
        ["run"] = typeof(RunCommand.Settings),
        ["gen"] = typeof(GenCommand.Settings),
        ["send"] = typeof(SendCommand.Settings),
        ["worker"] = typeof(WorkerCommand.Settings),
        ["check"] = typeof(RulesCheckCommand.Settings),
        ["bench"] = typeof(BenchCommand.Settings),
        ["bench-storage"] = typeof(StorageBenchCommand.Settings),
    };

    /// <summary>" (did you mean --x?)", or empty when nothing is close.</summary>
    public static string For(string[] args, string message)
    {
        const string Prefix = "Unknown option '";
        int start = message.IndexOf(Prefix, StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }
        string unknown = message[(start + Prefix.Length)..].Split('\'')[0];
        string? command = args.FirstOrDefault(a => SettingsByCommand.ContainsKey(a) && (a != "check" || args.Contains("rules")));
        if (command is null)
        {
            return "";
        }
        var names = SettingsByCommand[command].GetProperties()
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .OfType<CommandOptionAttribute>()
            .SelectMany(a => a.LongNames);
        var best = names
            .Select(n => (Name: n, Distance: Distance(unknown, n)))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, unknown.Length / 3) ? $" (did you mean --{best.Name}?)" : "";
    }

    // Levenshtein distance, with a swap of two neighbours counting as one edit.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
