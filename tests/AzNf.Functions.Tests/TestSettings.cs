using AzNf.Functions.Settings;
using AzNf.TestOracles;

namespace AzNf.Functions.Tests;

/// <summary>The settings a local run gives (as local.settings.sample.json), with the chain file relative to samples/.</summary>
internal static class TestSettings
{
    public static string Samples { get; } = Path.Combine(OracleProcess.RepositoryRoot(), "samples");

    public static Dictionary<string, string?> Local(string? storage = null) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["AzureWebJobsStorage"] = storage ?? "UseDevelopmentStorage=true",
        ["TASKHUB_NAME"] = "aznflocal",
        ["AZNF_CHAIN_FILE"] = "chains/full.json",
        ["AZNF_PARTITIONS"] = "2",
    };

    public static FunctionsSettings Load(Dictionary<string, string?> values) => FunctionsSettings.Load(values, Samples);
}
