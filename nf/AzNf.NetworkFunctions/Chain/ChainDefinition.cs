using System.Text.Json;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// A loaded chain file: stages in order (each NF configured once), chain variables, flow-table
/// limits and report limits. The file format is documented in docs/chain-file.md.
/// </summary>
public sealed class ChainDefinition
{
    private static readonly HashSet<string> TopLevelProperties = ["name", "description", "variables", "variablesFile", "flowTable", "report", "stages", "mode", "granularity", "deadlineMs", "onDeadline", "flowShards"];
    private static readonly HashSet<string> StageProperties = ["name", "type", "rules", "classification", "references", "config", "deadlineMs", "onDeadline"];
    private static readonly HashSet<string> FlowTableProperties = ["capacity", "timeoutsSeconds"];

    private static readonly IReadOnlySet<NetAddress> EmptyBlocklist = new HashSet<NetAddress>();

    /// <summary>Longest stage name, in UTF-8 bytes (a flow snapshot stores it in one byte's length).</summary>
    public const int MaxStageNameBytes = 100;

    public required string Name { get; init; }
    public required string Source { get; init; }
    public required IReadOnlyList<INetworkFunctionDefinition> Stages { get; init; }
    public required IReadOnlyDictionary<string, string> Variables { get; init; }
    public required FlowTableOptions FlowTable { get; init; }
    /// <summary>Most flow records a report lists (the largest by bytes); the others are counted as omitted.</summary>
    public required int MaxReportFlows { get; init; }

    /// <summary>
    /// The chain's flow shards (<c>flowShards</c>, default 4): the durable runtime files flows
    /// under them, and state shared by many flows (a rate limiter's buckets) is kept per
    /// (partition, shard) in every runtime, so that both give the same answers.
    /// </summary>
    public int FlowShards { get; init; } = DefaultFlowShards;

    public const int DefaultFlowShards = 4;

    /// <summary>Whether a stage keeps state per (partition, shard) slice (<see cref="INetworkFunctionDefinition.KeepsSliceState"/>).</summary>
    public bool KeepsSliceState => Stages.Any(s => s.KeepsSliceState);

    /// <summary>Flow records a report keeps when the chain file does not say (<c>report.maxFlows</c>): the largest by bytes.</summary>
    public const int DefaultMaxReportFlows = 10_000;
    public required ConfigDiagnostics Diagnostics { get; init; }

    /// <summary>Each stage's deadline and policy, in stage order (durable path only).</summary>
    public IReadOnlyList<StageQos> StageDeadlines { get; init; } = [];

    /// <summary>How long the whole chain may take for one unit of work; null = no chain deadline (durable path only).</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>What happens to the stages still running when the chain deadline passes.</summary>
    public DeadlinePolicy OnDeadline { get; init; }

    /// <summary>Fused (one step for every stage) or staged (one step per stage) on the durable path.</summary>
    public ChainMode Mode { get; init; }

    /// <summary>What one durable unit of work holds; the embedded engine ignores it.</summary>
    public ChainGranularity Granularity { get; init; } = ChainGranularity.Batch;

    /// <summary>Loads a chain file; rule files are resolved against its folder.</summary>
    public static ChainDefinition Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, $"cannot read chain file: {e.Message}", e);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Parses chain JSON named <paramref name="source"/> (for messages); rule files are resolved against <paramref name="baseDirectory"/>.</summary>
    public static ChainDefinition Parse(string json, string source, string baseDirectory) =>
        Parse(json, source, RuleSource.Folder(baseDirectory), EmptyBlocklist);

    /// <summary>
    /// Parses chain JSON named <paramref name="source"/> (for messages), its rules from
    /// <paramref name="rules"/>; every firewall stage drops packets from an address in
    /// <paramref name="blocklist"/> before its rules.
    /// </summary>
    public static ChainDefinition Parse(string json, string source, RuleSource rules, IReadOnlySet<NetAddress> blocklist)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(blocklist);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{source}:{e.LineNumber + 1}:{e.BytePositionInLine + 1}", $"not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException(source, "a chain file is a JSON object");
            }
            RejectUnknown(root, TopLevelProperties, source, "");
            var diagnostics = new ConfigDiagnostics();
            var variables = ReadVariables(root, source, rules);
            var deadlines = new List<StageQos>();
            var stages = ReadStages(root, source, rules, blocklist, variables, diagnostics, deadlines);
            return new ChainDefinition
            {
                Name = root.TryGetProperty("name", out var name) ? ReadString(name, source, "name") : Path.GetFileNameWithoutExtension(source),
                Source = source,
                Stages = stages,
                Variables = variables,
                FlowTable = ReadFlowTable(root, source),
                MaxReportFlows = root.TryGetProperty("report", out var report) && report.TryGetProperty("maxFlows", out var max)
                    ? ReadPositiveInt(max, source, "report.maxFlows")
                    : DefaultMaxReportFlows,
                Diagnostics = diagnostics,
                StageDeadlines = deadlines,
                Deadline = ReadDeadline(root, source, "deadlineMs", "the chain"),
                OnDeadline = ReadPolicy(root, source, "onDeadline", "the chain"),
                Mode = ReadChoice<ChainMode>(root, source, "mode", ChainQosNames.TryParse, "fused, staged", ChainMode.Fused),
                Granularity = ReadChoice<ChainGranularity>(root, source, "granularity", ChainQosNames.TryParse, "packet, flow, flowlet, batch", ChainGranularity.Batch),
                FlowShards = root.TryGetProperty("flowShards", out var shards) ? ReadFlowShards(shards, source) : DefaultFlowShards,
            };
        }
    }

    private delegate bool ChoiceParser<T>(string text, out T value);

    private static int ReadFlowShards(JsonElement value, string source) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int shards) && shards >= 1 && shards <= FlowShardHash.MaxShards
            ? shards
            : throw new ConfigException($"{source}: flowShards", $"must be an integer from 1 to {FlowShardHash.MaxShards}, not {value}");

    // Deadlines and policies only matter on the durable path, but a bad one is refused here, at
    // load, so that no run starts with a deadline it cannot honour.
    private static TimeSpan? ReadDeadline(JsonElement element, string source, string path, string owner)
    {
        if (!element.TryGetProperty("deadlineMs", out var value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double ms) && ms > 0 && double.IsFinite(ms)
            ? TimeSpan.FromMilliseconds(ms)
            : throw new ConfigException($"{source}: {path}", $"{owner}: deadlineMs must be a positive number of milliseconds, not {value}");
    }

    private static DeadlinePolicy ReadPolicy(JsonElement element, string source, string path, string owner)
    {
        if (!element.TryGetProperty("onDeadline", out var value))
        {
            return DeadlinePolicy.FailOpen;
        }
        return value.ValueKind == JsonValueKind.String && ChainQosNames.TryParse(value.GetString()!, out DeadlinePolicy policy)
            ? policy
            : throw new ConfigException($"{source}: {path}", $"{owner}: onDeadline must be one of fail-open, fail-closed, skip, not {value}");
    }

    private static T ReadChoice<T>(JsonElement element, string source, string property, ChoiceParser<T> parse, string known, T fallback)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return fallback;
        }
        return value.ValueKind == JsonValueKind.String && parse(value.GetString()!, out T parsed)
            ? parsed
            : throw new ConfigException($"{source}: {property}", $"must be one of {known}, not {value}");
    }

    // The variables file's first (Suricata's vars format), then the chain's own over them.
    private static Dictionary<string, string> ReadVariables(JsonElement root, string source, RuleSource rules)
    {
        var variables = root.TryGetProperty("variablesFile", out var file)
            ? VariablesFile.Parse(rules.Read(ReadString(file, source, "variablesFile"), $"{source}: variablesFile"))
            : new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("variables", out var element))
        {
            return variables;
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException($"{source}: variables", "must be an object of name → value");
        }
        foreach (var variable in element.EnumerateObject())
        {
            string name = variable.Name.TrimStart('$');
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                throw new ConfigException($"{source}: variables.{variable.Name}", "a variable name is letters, digits and '_'");
            }
            variables[name] = ReadString(variable.Value, source, $"variables.{variable.Name}");
        }
        return variables;
    }

    private static List<INetworkFunctionDefinition> ReadStages(
        JsonElement root, string source, RuleSource rules, IReadOnlySet<NetAddress> blocklist, Dictionary<string, string> variables, ConfigDiagnostics diagnostics, List<StageQos> deadlines)
    {
        if (!root.TryGetProperty("stages", out var stagesElement) || stagesElement.ValueKind != JsonValueKind.Array || stagesElement.GetArrayLength() == 0)
        {
            throw new ConfigException($"{source}: stages", "a chain needs a non-empty 'stages' array");
        }
        var stages = new List<INetworkFunctionDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var stage in stagesElement.EnumerateArray())
        {
            string location = $"{source}: stages[{index++}]";
            if (stage.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigException(location, "a stage is a JSON object");
            }
            RejectUnknown(stage, StageProperties, source, $"stages[{index - 1}].");
            if (!stage.TryGetProperty("type", out var typeElement))
            {
                throw new ConfigException(location, $"missing 'type' (one of {string.Join(", ", NetworkFunctionCatalog.Kinds)})");
            }
            string kind = ReadString(typeElement, source, $"stages[{index - 1}].type");
            if (!NetworkFunctionCatalog.TryGetLoader(kind, out var loader))
            {
                throw new ConfigException($"{location}.type", $"unknown stage type '{kind}' (known: {string.Join(", ", NetworkFunctionCatalog.Kinds)})");
            }
            string name = stage.TryGetProperty("name", out var nameElement) ? ReadString(nameElement, source, $"stages[{index - 1}].name") : kind;
            if (!names.Add(name))
            {
                throw new ConfigException($"{location}.name", $"duplicate stage name '{name}'");
            }
            if (name.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(name) > MaxStageNameBytes)
            {
                // The name keys the stage's counters and its section of every flow snapshot.
                throw new ConfigException($"{location}.name", $"a stage name is 1 to {MaxStageNameBytes} UTF-8 bytes, not '{name}'");
            }
            var stageRules = stage.TryGetProperty("rules", out var rulesElement)
                ? rules.Read(ReadString(rulesElement, source, $"stages[{index - 1}].rules"), location)
                : null;
            var classification = stage.TryGetProperty("classification", out var classificationElement)
                ? rules.Read(ReadString(classificationElement, source, $"stages[{index - 1}].classification"), location)
                : null;
            var references = stage.TryGetProperty("references", out var referencesElement)
                ? rules.Read(ReadString(referencesElement, source, $"stages[{index - 1}].references"), location)
                : null;
            var setup = new StageSetup
            {
                Name = name,
                Kind = kind,
                Rules = stageRules,
                Classification = classification,
                References = references,
                Blocklist = blocklist,
                Config = stage.TryGetProperty("config", out var config) ? config.Clone() : default,
                Variables = variables,
                Diagnostics = diagnostics,
                Location = location,
            };
            string owner = $"stage '{name}'";
            deadlines.Add(new StageQos(
                name,
                ReadDeadline(stage, source, $"stages[{index - 1}].deadlineMs", owner),
                ReadPolicy(stage, source, $"stages[{index - 1}].onDeadline", owner)));
            stages.Add(loader(setup));
        }
        return stages;
    }

    private static FlowTableOptions ReadFlowTable(JsonElement root, string source)
    {
        var options = new FlowTableOptions();
        if (!root.TryGetProperty("flowTable", out var table))
        {
            return options;
        }
        RejectUnknown(table, FlowTableProperties, source, "flowTable.");
        if (table.TryGetProperty("capacity", out var capacity))
        {
            options = options with { Capacity = ReadPositiveInt(capacity, source, "flowTable.capacity") };
        }
        if (table.TryGetProperty("timeoutsSeconds", out var timeouts))
        {
            foreach (var timeout in timeouts.EnumerateObject())
            {
                var value = TimeSpan.FromSeconds(ReadPositiveInt(timeout.Value, source, $"flowTable.timeoutsSeconds.{timeout.Name}"));
                options = timeout.Name switch
                {
                    "tcpNew" => options with { TcpNewTimeout = value },
                    "tcpEstablished" => options with { TcpEstablishedTimeout = value },
                    "tcpClosed" => options with { TcpClosedTimeout = value },
                    "udp" => options with { UdpTimeout = value },
                    "icmp" => options with { IcmpTimeout = value },
                    "other" => options with { OtherTimeout = value },
                    _ => throw new ConfigException($"{source}: flowTable.timeoutsSeconds.{timeout.Name}",
                        "unknown timeout (known: tcpNew, tcpEstablished, tcpClosed, udp, icmp, other)"),
                };
            }
        }
        return options;
    }

    private static void RejectUnknown(JsonElement element, HashSet<string> known, string source, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigException($"{source}: {prefix.TrimEnd('.')}", "must be a JSON object");
        }
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                throw new ConfigException($"{source}: {prefix}{property.Name}", $"unknown property (known: {string.Join(", ", known)})");
            }
        }
    }

    private static string ReadString(JsonElement element, string source, string path) =>
        element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new ConfigException($"{source}: {path}", $"must be a string, not {element.ValueKind}");

    private static int ReadPositiveInt(JsonElement element, string source, string path) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out int value) && value > 0
            ? value
            : throw new ConfigException($"{source}: {path}", $"must be a positive integer, not {element}");
}
