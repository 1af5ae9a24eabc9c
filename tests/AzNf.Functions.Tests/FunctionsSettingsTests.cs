using AzNf.Functions.Settings;
using AzNf.TestOracles;

namespace AzNf.Functions.Tests;

public sealed class FunctionsSettingsTests
{
    private static readonly string Samples = TestSettings.Samples;

    private static Dictionary<string, string?> Local() => TestSettings.Local();

    [Fact]
    public void Load_LocalSample_LoadsTheChainAndDefaults()
    {
        var settings = FunctionsSettings.Load(Local(), Samples);

        Assert.Equal("full", settings.Chain.Name);
        Assert.Equal(Path.Combine(Samples, "chains", "full.json"), settings.ChainFile);
        Assert.Equal(2, settings.Partitions);
        Assert.Equal(ProcessingPath.Durable, settings.Processing);
        Assert.False(settings.IngestionEnabled);
        Assert.Equal("$Default", settings.ConsumerGroup);
        Assert.Equal(8 * 1024 * 1024, settings.MaxPostBytes);
        Assert.Equal(4, settings.FlowShards);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.CommitInterval);
        Assert.Equal(TimeSpan.FromHours(24), settings.TombstoneRetention);
        Assert.Equal(200_000, settings.FlowMapCacheFlows);
    }

    [Fact]
    public void Load_AzureIdentitySettings_EnablesIngestion()
    {
        var values = Local();
        values.Remove("AzureWebJobsStorage");
        values["AzureWebJobsStorage__accountName"] = "staznf";
        values["AZNF_EVENTHUBS_NAMESPACE"] = "ehaznf.servicebus.windows.net";
        values["AZNF_EVENTHUB_NAME"] = "packets";
        values["AZNF_CONSUMER_GROUP"] = "aznf";
        values["AZNF_TABLES_ENDPOINT"] = "https://staznf.table.core.windows.net";

        var settings = FunctionsSettings.Load(values, Samples);

        Assert.True(settings.IngestionEnabled);
        Assert.Null(settings.StorageConnectionString);
        Assert.Equal("staznf", settings.StorageAccount);
        Assert.Equal("aznf", settings.ConsumerGroup);
        Assert.Equal(new Uri("https://staznf.table.core.windows.net"), settings.TableServiceUri);
    }

    public static TheoryData<string, string?, string> BadSettings => new()
    {
        // setting, value (null removes it), what the message must say
        { "AzureWebJobsStorage", null, "AzureWebJobsStorage: not set" },
        { "AzureWebJobsStorage", "just-a-name", "AzureWebJobsStorage: not a storage connection string" },
        { "TASKHUB_NAME", null, "TASKHUB_NAME: not set" },
        { "TASKHUB_NAME", "9bad", "TASKHUB_NAME: '9bad' is not a task hub name" },
        { "TASKHUB_NAME", "has-dash", "TASKHUB_NAME: 'has-dash' is not a task hub name" },
        { "AZNF_CHAIN_FILE", null, "AZNF_CHAIN_FILE: not set" },
        { "AZNF_CHAIN_FILE", "chains/no-such.json", "AZNF_CHAIN_FILE: no such file" },
        { "AZNF_PARTITIONS", null, "AZNF_PARTITIONS: not set" },
        { "AZNF_PARTITIONS", "0", "AZNF_PARTITIONS: 0 is out of range (1–1024)" },
        { "AZNF_PARTITIONS", "-3", "AZNF_PARTITIONS: -3 is out of range (1–1024)" },
        { "AZNF_PARTITIONS", "four", "AZNF_PARTITIONS: 'four' is not a whole number" },
        { "AZNF_PROCESSING", "sometimes", "AZNF_PROCESSING: 'sometimes' is not 'durable' or 'fast'" },
        { "AZNF_EVENTHUBS_NAMESPACE", "https://ns.servicebus.windows.net/", "AZNF_EVENTHUBS_NAMESPACE: 'https://ns.servicebus.windows.net/' is not a fully qualified namespace" },
        { "AZNF_TABLES_ENDPOINT", "not a uri", "AZNF_TABLES_ENDPOINT: 'not a uri' is not an http(s) URI" },
        { "AZNF_CHECKPOINT_TABLE", "ck_points", "AZNF_CHECKPOINT_TABLE: 'ck_points' is not a table name" },
        { "AZNF_MAX_POST_BYTES", "10", "AZNF_MAX_POST_BYTES: 10 is out of range" },
        { "AZNF_CONTROL_POLL_SECONDS", "0", "AZNF_CONTROL_POLL_SECONDS: 0 is out of range" },
        { "AZNF_FLOW_SHARDS", "0", "AZNF_FLOW_SHARDS: 0 is out of range" },
        { "AZNF_FLOW_MAP_DELTAS", "65", "AZNF_FLOW_MAP_DELTAS: 65 is out of range" },
        { "AZNF_FLOW_MAP_CACHE", "-1", "AZNF_FLOW_MAP_CACHE: -1 is out of range" },
        { "AZNF_COMMIT_SECONDS", "0", "AZNF_COMMIT_SECONDS: 0 is out of range" },
        { "AZNF_STORAGE_STARTUP_SECONDS", "0", "AZNF_STORAGE_STARTUP_SECONDS: 0 is out of range (1–3600)" },
        { "AZNF_EVE_CONTAINER", "Bad_Name", "AZNF_EVE_CONTAINER: 'Bad_Name' is not a blob container name" },
        { "AZNF_EVE_CONTAINER", "a--b", "AZNF_EVE_CONTAINER: 'a--b' is not a blob container name" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Load_BadSetting_ThrowsNamingTheSetting(string setting, string? value, string message)
    {
        var values = Local();
        values[setting] = value;

        var error = Assert.Throws<SettingsException>(() => FunctionsSettings.Load(values, Samples));

        Assert.Equal(setting, error.Setting);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ChainWithARateLimiter_TakesTheChainsFlowShards()
    {
        var values = Local();
        values["AZNF_CHAIN_FILE"] = "chains/guard.json";
        values["AZNF_FLOW_SHARDS"] = null;

        var settings = FunctionsSettings.Load(values, Samples);

        Assert.Equal(settings.Chain.FlowShards, settings.FlowShards);
    }

    /// <summary>A chain with slice state or a packet rewrite, with a setting it cannot run under: refused, naming the setting and the stage.</summary>
    [Theory]
    [InlineData("chains/guard.json", "AZNF_FLOW_SHARDS", "8", "the chain's flowShards is 4 and stage 'guard' keeps state per flow shard")]
    [InlineData("chains/edge.json", "AZNF_EGRESS_HUB", "forwarded", "stage 'nat' rewrites packets")]
    [InlineData("chains/guard.json", "AZNF_PROCESSING", "fast", "stage 'guard' keeps state per (partition, flow shard) slice")]
    public void Load_ChainWithSliceStateOrRewrites_UnderASettingItCannotRunWith_RefusedNamingTheStage(string chainFile, string setting, string value, string expected)
    {
        var values = Local();
        values["AZNF_CHAIN_FILE"] = chainFile;
        values[setting] = value;

        var error = Assert.Throws<SettingsException>(() => FunctionsSettings.Load(values, Samples));

        Assert.Equal(setting, error.Setting);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EgressAndAlertsHubs_InTheInputsNamespace()
    {
        var values = Local();
        values["AZNF_EVENTHUBS_NAMESPACE"] = "ehaznf.servicebus.windows.net";
        values["AZNF_EVENTHUB_NAME"] = "packets";
        values["AZNF_EGRESS_HUB"] = "forwarded";
        values["AZNF_EGRESS_FLOWLET"] = "16";
        values["AZNF_ALERTS_HUB"] = "alerts";
        values["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000";

        var settings = FunctionsSettings.Load(values, Samples);

        Assert.Equal("forwarded", settings.EgressHub);
        Assert.Equal(16, settings.EgressFlowlet);
        Assert.Equal("alerts", settings.AlertsHub);
        Assert.NotNull(settings.AppInsightsConnectionString);
    }

    [Theory]
    [InlineData("AZNF_EGRESS_HUB", "forwarded", false, "durable", "AZNF_EGRESS_HUB: set, but AZNF_EVENTHUBS_NAMESPACE is not")]
    [InlineData("AZNF_ALERTS_HUB", "alerts", false, "durable", "AZNF_ALERTS_HUB: set, but AZNF_EVENTHUBS_NAMESPACE is not")]
    [InlineData("AZNF_EGRESS_HUB", "forwarded", true, "fast", "AZNF_EGRESS_HUB: needs AZNF_PROCESSING=durable")]
    [InlineData("AZNF_EGRESS_HUB", "packets", true, "durable", "AZNF_EGRESS_HUB: 'packets' is the input hub")]
    [InlineData("AZNF_EGRESS_FLOWLET", "0", true, "durable", "AZNF_EGRESS_FLOWLET: 0 is out of range")]
    public void Load_BadOutputHub_ThrowsNamingTheSetting(string setting, string value, bool withNamespace, string processing, string message)
    {
        var values = Local();
        if (withNamespace)
        {
            values["AZNF_EVENTHUBS_NAMESPACE"] = "ehaznf.servicebus.windows.net";
            values["AZNF_EVENTHUB_NAME"] = "packets";
        }
        values["AZNF_PROCESSING"] = processing;
        values[setting] = value;

        var error = Assert.Throws<SettingsException>(() => FunctionsSettings.Load(values, Samples));

        Assert.Equal(setting, error.Setting);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NamespaceWithoutHubName_NamesTheMissingHub()
    {
        var values = Local();
        values["AZNF_EVENTHUBS_NAMESPACE"] = "ehaznf.servicebus.windows.net";

        var error = Assert.Throws<SettingsException>(() => FunctionsSettings.Load(values, Samples));

        Assert.Equal("AZNF_EVENTHUB_NAME", error.Setting);
    }

    [Fact]
    public void Load_IdentityIngestionWithoutTablesEndpoint_NamesTheEndpoint()
    {
        var values = Local();
        values.Remove("AzureWebJobsStorage");
        values["AzureWebJobsStorage__accountName"] = "staznf";
        values["AZNF_EVENTHUBS_NAMESPACE"] = "ehaznf.servicebus.windows.net";
        values["AZNF_EVENTHUB_NAME"] = "packets";

        var error = Assert.Throws<SettingsException>(() => FunctionsSettings.Load(values, Samples));

        Assert.Equal("AZNF_TABLES_ENDPOINT", error.Setting);
    }

    [Fact]
    public void Load_ChainWithABadRuleFile_NamesTheSettingAndTheRuleFileLine()
    {
        string folder = OracleProcess.TempDirectory("settings-bad-chain");
        File.WriteAllText(Path.Combine(folder, "fw.rules"), "allow tcp from any to any port 80\nbogus line here\n");
        File.WriteAllText(Path.Combine(folder, "chain.json"), """{ "name": "bad", "stages": [ { "name": "firewall", "type": "firewall", "rules": "fw.rules" } ] }""");
        var values = Local();
        values["AZNF_CHAIN_FILE"] = Path.Combine(folder, "chain.json");

        var error = Assert.Throws<SettingsException>(() => FunctionsSettings.Load(values, Samples));

        Assert.Equal("AZNF_CHAIN_FILE", error.Setting);
        Assert.Contains("fw.rules:2", error.Message, StringComparison.Ordinal);
    }
}
