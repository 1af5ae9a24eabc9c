using System.Globalization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Functions.Settings;

/// <summary>
/// Every setting the worker reads, validated at start: a missing or malformed one stops the
/// worker with one message naming it, before any function runs. docs/functions.md lists them.
/// </summary>
public sealed record FunctionsSettings
{
    public const string StorageConnection = "AzureWebJobsStorage";
    public const string StorageAccountName = "AzureWebJobsStorage__accountName";
    public const string TaskHub = "TASKHUB_NAME";
    public const string ChainFileSetting = "AZNF_CHAIN_FILE";
    public const string PartitionsSetting = "AZNF_PARTITIONS";
    public const string ProcessingSetting = "AZNF_PROCESSING";
    public const string EventHubsNamespace = "AZNF_EVENTHUBS_NAMESPACE";
    public const string EventHubName = "AZNF_EVENTHUB_NAME";
    public const string ConsumerGroupSetting = "AZNF_CONSUMER_GROUP";
    public const string TablesEndpoint = "AZNF_TABLES_ENDPOINT";
    public const string CheckpointTableSetting = "AZNF_CHECKPOINT_TABLE";
    public const string DeadLetterTableSetting = "AZNF_DEADLETTER_TABLE";
    public const string EventsPerBatchSetting = "AZNF_EVENTS_PER_BATCH";
    public const string MaxUnitsInFlightSetting = "AZNF_MAX_UNITS_IN_FLIGHT";
    public const string MaxPostBytesSetting = "AZNF_MAX_POST_BYTES";
    public const string MaxPostPacketsSetting = "AZNF_MAX_POST_PACKETS";
    public const string ControlPollSetting = "AZNF_CONTROL_POLL_SECONDS";
    public const string TombstoneHoursSetting = "AZNF_FLOW_TOMBSTONE_HOURS";
    public const string FlowShardsSetting = "AZNF_FLOW_SHARDS";
    public const string FlowMapDeltasSetting = "AZNF_FLOW_MAP_DELTAS";
    public const string FlowMapCacheSetting = "AZNF_FLOW_MAP_CACHE";
    public const string CommitSecondsSetting = "AZNF_COMMIT_SECONDS";
    public const string StorageStartupSetting = "AZNF_STORAGE_STARTUP_SECONDS";
    public const string ManagedIdentityClientId = "AZURE_CLIENT_ID";
    public const string EgressHubSetting = "AZNF_EGRESS_HUB";
    public const string EgressFlowletSetting = "AZNF_EGRESS_FLOWLET";
    public const string AlertsHubSetting = "AZNF_ALERTS_HUB";
    public const string EveContainerSetting = "AZNF_EVE_CONTAINER";
    public const string AppInsightsConnection = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The storage connection string (Azurite: <c>UseDevelopmentStorage=true</c>); null with a managed identity.</summary>
    public string? StorageConnectionString { get; init; }

    /// <summary>The storage account name for identity-based connections; null with a connection string.</summary>
    public string? StorageAccount { get; init; }

    public required string TaskHubName { get; init; }

    /// <summary>The chain file's full path.</summary>
    public required string ChainFile { get; init; }

    /// <summary>The chain, loaded once at start (its rule files too), so a bad one stops the worker.</summary>
    public required ChainDefinition Chain { get; init; }

    /// <summary>The event hub's partition count; also the packet post's partitions.</summary>
    public required int Partitions { get; init; }

    public ProcessingPath Processing { get; init; } = ProcessingPath.Durable;

    /// <summary>Fully qualified Event Hubs namespace; null turns ingestion off (the packet post still works).</summary>
    public string? EventHubsNamespaceName { get; init; }

    public string? EventHub { get; init; }

    public string ConsumerGroup { get; init; } = "$Default";

    /// <summary>Table service endpoint for identity-based access; null derives tables from the connection string.</summary>
    public Uri? TableServiceUri { get; init; }

    public string CheckpointTable { get; init; } = "aznfcheckpoints";

    public string DeadLetterTable { get; init; } = "aznfdeadletters";

    public int EventsPerBatch { get; init; } = 100;

    public int MaxUnitsInFlight { get; init; } = 64;

    public int MaxPostBytes { get; init; } = 8 * 1024 * 1024;

    public int MaxPostPackets { get; init; } = 10_000;

    /// <summary>How often each instance reads the chain switch and starts or stops its processor.</summary>
    public TimeSpan ControlPoll { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an expired flow's tombstone is kept (it must outlive the hub's retention).</summary>
    public TimeSpan TombstoneRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Deltas a flow shard keeps over its map blob before writing the map whole (0: always whole).</summary>
    public int FlowMapDeltas { get; init; } = 8;

    /// <summary>Flows an instance keeps decoded in the maps of the shards it stepped last (0: none).</summary>
    public int FlowMapCacheFlows { get; init; } = 200_000;

    /// <summary>
    /// Flow shards per chain at batch granularity. Every instance, the packet post and the flow
    /// API must agree on it, and changing it on a hub that holds flows puts them in other shards:
    /// a new value needs a new task hub.
    /// </summary>
    public int FlowShards { get; init; } = 4;

    /// <summary>The fast path: longest time between group commits of a partition's changed flows to the flow shards (the checkpoint waits for them).</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the worker waits at start for its storage services to answer before it stops (exit 69).</summary>
    public TimeSpan StorageStartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public string? ClientId { get; init; }

    /// <summary>The event hub (in <see cref="EventHubsNamespaceName"/>) forwarded packets go to; null: none.</summary>
    public string? EgressHub { get; init; }

    /// <summary>Most packets per egress event.</summary>
    public int EgressFlowlet { get; init; } = 64;

    /// <summary>The event hub (in <see cref="EventHubsNamespaceName"/>) EVE alert and flow lines go to; null: none.</summary>
    public string? AlertsHub { get; init; }

    /// <summary>The blob container (in the host's storage account) EVE lines are kept in, one blob per chain and hour; null: none.</summary>
    public string? EveContainer { get; init; }

    /// <summary>Application Insights, where the AzNf meter's metrics are exported (Entra authentication); null: not exported.</summary>
    public string? AppInsightsConnectionString { get; init; }

    public bool IngestionEnabled => EventHubsNamespaceName is not null;

    /// <summary>Reads and checks every setting; <paramref name="appDirectory"/> anchors a relative chain file path.</summary>
    /// <exception cref="SettingsException">The first setting that is missing or unusable.</exception>
    public static FunctionsSettings Load(IReadOnlyDictionary<string, string?> values, string appDirectory)
    {
        ArgumentNullException.ThrowIfNull(values);
        string? Get(string name) => values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        string? connection = Get(StorageConnection);
        string? account = Get(StorageAccountName);
        if (connection is null && account is null)
        {
            throw new SettingsException(StorageConnection, $"not set: give a connection string (UseDevelopmentStorage=true for Azurite) or {StorageAccountName} for a managed identity");
        }
        if (connection is not null && !connection.Contains('=', StringComparison.Ordinal))
        {
            throw new SettingsException(StorageConnection, "not a storage connection string (expected key=value pairs, e.g. UseDevelopmentStorage=true)");
        }

        string hub = Get(TaskHub) ?? throw new SettingsException(TaskHub, "not set");
        if (hub.Length is < 3 or > 45 || !char.IsAsciiLetter(hub[0]) || !hub.All(char.IsAsciiLetterOrDigit))
        {
            throw new SettingsException(TaskHub, $"'{hub}' is not a task hub name (3–45 letters and digits, starting with a letter)");
        }

        string chainSetting = Get(ChainFileSetting) ?? throw new SettingsException(ChainFileSetting, "not set (e.g. chains/full.json)");
        string chainFile = Path.GetFullPath(chainSetting, appDirectory);
        if (!File.Exists(chainFile))
        {
            throw new SettingsException(ChainFileSetting, $"no such file: {chainFile}");
        }
        ChainDefinition chain;
        try
        {
            chain = AzNf.Orchestrations.Chains.ChainCompiler.RequireDurable(ChainDefinition.Load(chainFile), chainFile);
        }
        catch (ConfigException e)
        {
            throw new SettingsException(ChainFileSetting, e.Message);
        }

        string? ns = Get(EventHubsNamespace);
        if (ns is not null && (ns.Contains("://", StringComparison.Ordinal) || ns.Contains('/', StringComparison.Ordinal) || !ns.Contains('.', StringComparison.Ordinal)))
        {
            throw new SettingsException(EventHubsNamespace, $"'{ns}' is not a fully qualified namespace (e.g. mynamespace.servicebus.windows.net, no scheme or path)");
        }
        string? eventHub = Get(EventHubName);
        if (ns is not null && eventHub is null)
        {
            throw new SettingsException(EventHubName, $"not set, but {EventHubsNamespace} is");
        }
        string? tables = Get(TablesEndpoint);
        Uri? tableUri = null;
        if (tables is not null && (!Uri.TryCreate(tables, UriKind.Absolute, out tableUri) || tableUri.Scheme is not ("https" or "http")))
        {
            throw new SettingsException(TablesEndpoint, $"'{tables}' is not an http(s) URI");
        }
        if (ns is not null && connection is null && tableUri is null)
        {
            throw new SettingsException(TablesEndpoint, $"not set: with a managed identity the checkpoint tables need the table service URI");
        }

        string processing = Get(ProcessingSetting) ?? "durable";
        var path = processing.ToLowerInvariant() switch
        {
            "durable" => ProcessingPath.Durable,
            "fast" => ProcessingPath.Fast,
            _ => throw new SettingsException(ProcessingSetting, $"'{processing}' is not 'durable' or 'fast'"),
        };
        // A stage with slice state (a rate limiter) keeps it per (partition, flow shard): the shards
        // must be the chain's, and only the durable path stores slices.
        int flowShards = Int(Get(FlowShardsSetting) ?? chain.FlowShards.ToString(CultureInfo.InvariantCulture), FlowShardsSetting, 1, AzNf.Orchestrations.Batches.FlowShards.MaxShards);
        if (chain.KeepsSliceState && flowShards != chain.FlowShards)
        {
            throw new SettingsException(FlowShardsSetting, $"{flowShards}, but the chain's flowShards is {chain.FlowShards} and stage '{chain.Stages.First(st => st.KeepsSliceState).Name}' keeps state per flow shard");
        }
        if (chain.Mode == ChainMode.Staged && chain.Stages.FirstOrDefault(st => st.RewritesPackets) is { } rewriting)
        {
            throw new SettingsException(ChainFileSetting, $"{chainFile}: stage '{rewriting.Name}' rewrites packets, which only a fused chain passes on: the chain's mode must be fused");
        }
        if (chain.KeepsSliceState && path == ProcessingPath.Fast)
        {
            throw new SettingsException(ProcessingSetting, $"fast, but stage '{chain.Stages.First(st => st.KeepsSliceState).Name}' keeps state per (partition, flow shard) slice, which only the durable path stores");
        }
        string? egress = Get(EgressHubSetting), alerts = Get(AlertsHubSetting);
        if (egress is not null && chain.Stages.FirstOrDefault(st => st.RewritesPackets) is { } rewriter)
        {
            throw new SettingsException(EgressHubSetting, $"set, but stage '{rewriter.Name}' rewrites packets and the egress would send them as they were read, untranslated: not supported yet");
        }
        foreach (var (name, value) in new[] { (EgressHubSetting, egress), (AlertsHubSetting, alerts) })
        {
            if (value is null)
            {
                continue;
            }
            if (ns is null)
            {
                throw new SettingsException(name, $"set, but {EventHubsNamespace} is not (the hub lives in that namespace)");
            }
            if (path != ProcessingPath.Durable)
            {
                throw new SettingsException(name, $"needs {ProcessingSetting}=durable (the fast path returns counts, not per-packet verdicts or alerts, yet)");
            }
            if (value == eventHub)
            {
                throw new SettingsException(name, $"'{value}' is the input hub ({EventHubName}): the chain would read its own output");
            }
        }
        if (egress is not null && chain.Granularity != AzNf.NetworkFunctions.Chain.ChainGranularity.Batch)
        {
            throw new SettingsException(EgressHubSetting, $"needs the chain's granularity to be batch (the chain file says {AzNf.NetworkFunctions.Chain.ChainQosNames.Name(chain.Granularity)})");
        }

        return new FunctionsSettings
        {
            StorageConnectionString = connection,
            StorageAccount = account,
            TaskHubName = hub,
            ChainFile = chainFile,
            Chain = chain,
            Partitions = Int(Get(PartitionsSetting) ?? throw new SettingsException(PartitionsSetting, "not set (the event hub's partition count)"), PartitionsSetting, 1, 1024),
            Processing = path,
            EventHubsNamespaceName = ns,
            EventHub = eventHub,
            ConsumerGroup = Get(ConsumerGroupSetting) ?? "$Default",
            TableServiceUri = tableUri,
            CheckpointTable = TableName(Get(CheckpointTableSetting) ?? "aznfcheckpoints", CheckpointTableSetting),
            DeadLetterTable = TableName(Get(DeadLetterTableSetting) ?? "aznfdeadletters", DeadLetterTableSetting),
            EventsPerBatch = Int(Get(EventsPerBatchSetting) ?? "100", EventsPerBatchSetting, 1, 10_000),
            MaxUnitsInFlight = Int(Get(MaxUnitsInFlightSetting) ?? "64", MaxUnitsInFlightSetting, 1, 10_000),
            MaxPostBytes = Int(Get(MaxPostBytesSetting) ?? (8 * 1024 * 1024).ToString(CultureInfo.InvariantCulture), MaxPostBytesSetting, 1024, 100 * 1024 * 1024),
            MaxPostPackets = Int(Get(MaxPostPacketsSetting) ?? "10000", MaxPostPacketsSetting, 1, 1_000_000),
            ControlPoll = TimeSpan.FromSeconds(Int(Get(ControlPollSetting) ?? "10", ControlPollSetting, 1, 3600)),
            TombstoneRetention = TimeSpan.FromHours(Int(Get(TombstoneHoursSetting) ?? "24", TombstoneHoursSetting, 1, 24 * 90)),
            FlowMapDeltas = Int(Get(FlowMapDeltasSetting) ?? "8", FlowMapDeltasSetting, 0, 64),
            FlowMapCacheFlows = Int(Get(FlowMapCacheSetting) ?? "200000", FlowMapCacheSetting, 0, 10_000_000),
            FlowShards = flowShards,
            CommitInterval = TimeSpan.FromSeconds(Int(Get(CommitSecondsSetting) ?? "5", CommitSecondsSetting, 1, 3600)),
            StorageStartupTimeout = TimeSpan.FromSeconds(Int(Get(StorageStartupSetting) ?? "60", StorageStartupSetting, 1, 3600)),
            ClientId = Get(ManagedIdentityClientId),
            EgressHub = egress,
            EgressFlowlet = Int(Get(EgressFlowletSetting) ?? "64", EgressFlowletSetting, 1, AzNf.Ingest.Events.PacketEventFormat.MaxPacketsPerEvent),
            AlertsHub = alerts,
            EveContainer = EveContainerName(Get(EveContainerSetting), path),
            AppInsightsConnectionString = Get(AppInsightsConnection),
        };
    }

    private static string? EveContainerName(string? name, ProcessingPath path)
    {
        if (name is null)
        {
            return null;
        }
        if (path != ProcessingPath.Durable)
        {
            throw new SettingsException(EveContainerSetting, $"needs {ProcessingSetting}=durable (the fast path returns counts, not alerts, yet)");
        }
        // Blob container names: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit.
        if (name.Length is < 3 or > 63 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            throw new SettingsException(EveContainerSetting, $"'{name}' is not a blob container name (3–63 lower-case letters, digits and single hyphens)");
        }
        return name;
    }

    private static int Int(string text, string setting, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            throw new SettingsException(setting, $"'{text}' is not a whole number");
        }
        if (value < min || value > max)
        {
            throw new SettingsException(setting, $"{value} is out of range ({min}–{max})");
        }
        return value;
    }

    // Azure Tables: 3–63 letters and digits, starting with a letter.
    private static string TableName(string name, string setting) =>
        name.Length is >= 3 and <= 63 && char.IsAsciiLetter(name[0]) && name.All(char.IsAsciiLetterOrDigit)
            ? name
            : throw new SettingsException(setting, $"'{name}' is not a table name (3–63 letters and digits, starting with a letter)");
}
