using System.Text.Json;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>What a network function definition is configured from: its chain-file stage.</summary>
public sealed class StageSetup
{
    /// <summary>The stage name (unique within the chain).</summary>
    public required string Name { get; init; }

    /// <summary>The NF type: <c>counter</c>, <c>firewall</c>, <c>ids</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The stage's rules (from its <c>rules</c> property); null when it names none.</summary>
    public RuleText? Rules { get; init; }

    /// <summary>An IDS stage's <c>classification.config</c> (its <c>classification</c> property); null when it names none.</summary>
    public RuleText? Classification { get; init; }

    /// <summary>An IDS stage's <c>reference.config</c> (its <c>references</c> property); null when it names none.</summary>
    public RuleText? References { get; init; }

    /// <summary>Source addresses every firewall stage drops before its rules (<c>firewall:blocklist</c>).</summary>
    public required IReadOnlySet<NetAddress> Blocklist { get; init; }

    /// <summary>The stage's <c>config</c> object; <see cref="JsonValueKind.Undefined"/> when absent.</summary>
    public JsonElement Config { get; init; }

    /// <summary>Chain variables such as <c>HOME_NET</c> (names without the <c>$</c>).</summary>
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>Where to report problems that do not stop the run (e.g. a rejected rule).</summary>
    public required ConfigDiagnostics Diagnostics { get; init; }

    /// <summary>Where this stage is declared, for error messages (e.g. <c>chain.json: stages[2]</c>).</summary>
    public required string Location { get; init; }
}

/// <summary>
/// Problems found while loading a chain that the run survives: each one is counted by code and
/// kept with where it was found (e.g. <c>ids.rules:12</c>).
/// </summary>
public sealed class ConfigDiagnostics
{
    private readonly List<ConfigWarning> _warnings = [];
    private readonly Dictionary<string, long> _counts = [];

    public IReadOnlyList<ConfigWarning> Warnings => _warnings;

    public IReadOnlyDictionary<string, long> Counts => _counts;

    public void Warn(string code, string where, string message)
    {
        _warnings.Add(new ConfigWarning(code, where, message));
        _counts[code] = _counts.GetValueOrDefault(code) + 1;
    }
}

/// <summary>One problem found while loading configuration or rules.</summary>
public sealed record ConfigWarning(string Code, string Where, string Message)
{
    public override string ToString() => $"{Where}: {Code}: {Message}";
}

/// <summary>
/// A chain, stage or rule file that cannot be used at all. <see cref="Where"/> names the file
/// and position (line, or JSON path).
/// </summary>
public sealed class ConfigException(string where, string message, Exception? inner = null)
    : Exception($"{where}: {message}", inner)
{
    public string Where { get; } = where;
}
