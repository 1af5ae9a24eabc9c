using System.Collections.Frozen;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// The firewall stage (<c>kind: firewall</c>): its options and compiled rules, loaded once and
/// shared read-only by every partition's <see cref="Firewall"/>.
/// </summary>
public sealed class FirewallDefinition : INetworkFunctionDefinition
{
    public const string KindName = "firewall";

    private FirewallDefinition(string name, string rulesFile, FirewallOptions options, IReadOnlyList<FirewallRule> rules, int rejectedRules, FrozenSet<NetAddress> blocklist)
    {
        Name = name;
        Blocklist = blocklist;
        RulesFile = rulesFile;
        Options = options;
        Rules = rules;
        RejectedRules = rejectedRules;
    }

    public string Name { get; }

    public string Kind => KindName;

    public IReadOnlyDictionary<string, long> Counters => new Dictionary<string, long>
    {
        ["rules:loaded"] = Rules.Count,
        ["rules:rejected"] = RejectedRules,
        ["blocklist:entries"] = Blocklist.Count,
    };

    /// <summary>The rule file's name as given, for messages.</summary>
    public string RulesFile { get; }

    public FirewallOptions Options { get; }

    /// <summary>The rules in file order (first match wins).</summary>
    public IReadOnlyList<FirewallRule> Rules { get; }

    /// <summary>
    /// Source addresses dropped before connection tracking and the rules, with their own reason
    /// (<c>firewall:blocklist</c>), so the rule lines and their drop reasons stay those of the file.
    /// </summary>
    public FrozenSet<NetAddress> Blocklist { get; }

    /// <summary>Lines that were not rules and were skipped (only under <c>onBadRule: skip-rule</c>).</summary>
    public int RejectedRules { get; }

    /// <summary>Loads the stage: options from <see cref="StageSetup.Config"/>, rules from <see cref="StageSetup.Rules"/>.</summary>
    public static FirewallDefinition Load(StageSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var options = FirewallOptions.FromJson(setup.Config, setup.Location);
        if (setup.Rules is null)
        {
            throw new ConfigException(setup.Location, "a firewall stage needs a rule file (\"rules\")");
        }
        return Parse(setup.Rules.Text, setup.Rules.Name, options, setup.Variables, setup.Diagnostics, setup.Name, setup.Blocklist);
    }

    /// <summary>
    /// Compiles rule text. Every bad line is reported to <paramref name="diagnostics"/> as
    /// <c>firewall-rule-rejected</c> at <c>file:line</c>; then, under the default
    /// <see cref="BadRulePolicy.RejectFile"/>, a <see cref="ConfigException"/> refuses the file,
    /// because a skipped deny rule would silently open a hole.
    /// </summary>
    public static FirewallDefinition Parse(
        string text,
        string fileName,
        FirewallOptions? options = null,
        IReadOnlyDictionary<string, string>? variables = null,
        ConfigDiagnostics? diagnostics = null,
        string name = KindName,
        IReadOnlySet<NetAddress>? blocklist = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new FirewallOptions();
        diagnostics ??= new ConfigDiagnostics();
        var parser = new FirewallRuleParser(variables ?? new Dictionary<string, string>());
        var rules = new List<FirewallRule>();
        string? firstRejectedWhere = null;
        string? firstRejectedReason = null;
        int rejected = 0;
        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            try
            {
                if (parser.TryParseLine(line.TrimEnd('\r'), lineNumber, out var rule))
                {
                    rules.Add(rule!);
                }
            }
            catch (FormatException e)
            {
                string where = $"{fileName}:{lineNumber}";
                diagnostics.Warn("firewall-rule-rejected", where, e.Message);
                firstRejectedWhere ??= where;
                firstRejectedReason ??= e.Message;
                rejected++;
            }
        }
        if (rejected > 0 && options.OnBadRule == BadRulePolicy.RejectFile)
        {
            throw new ConfigException(
                firstRejectedWhere!,
                $"{firstRejectedReason} ({rejected} rule line(s) rejected in all, each reported; the file is refused under onBadRule: reject-file)");
        }
        if (rules.Count > options.MaxRules)
        {
            throw new ConfigException(fileName, $"{rules.Count} rules exceed maxRules {options.MaxRules}");
        }
        return new FirewallDefinition(name, fileName, options, rules, rejected, (blocklist ?? FrozenSet<NetAddress>.Empty).ToFrozenSet());
    }

    public INetworkFunction CreateInstance(PartitionResources resources) => new Firewall(this);
}
