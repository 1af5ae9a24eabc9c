using System.Reflection;
using System.Text.Json;
using AzNf.Functions.Settings;
using AzNf.TestOracles;

namespace AzNf.Functions.Tests;

/// <summary>The committed local settings sample and the settings document must list what the worker reads.</summary>
public sealed class LocalSettingsSampleTests
{
    // Set by the Bicep deployment only: a local run uses the Azurite connection string instead.
    private static readonly string[] AzureOnly = [FunctionsSettings.StorageAccountName, FunctionsSettings.ManagedIdentityClientId];

    private static readonly string Root = OracleProcess.RepositoryRoot();

    private static IEnumerable<string> SettingNames() =>
        typeof(FunctionsSettings).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    private static Dictionary<string, string?> SampleValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")));
        return document.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public void Sample_ListsEverySettingTheWorkerReads()
    {
        var values = SampleValues();

        var missing = SettingNames().Except(AzureOnly).Where(name => !values.ContainsKey(name)).ToList();

        Assert.Empty(missing);
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
    }

    [Fact]
    public void Sample_LoadsInTheBuiltAppFolder()
    {
        var settings = FunctionsSettings.Load(SampleValues(), FunctionsOutput.Directory);

        Assert.Equal("full", settings.Chain.Name);
        Assert.False(settings.IngestionEnabled);
    }

    [Fact]
    public void SettingsDocument_DescribesEverySetting()
    {
        string document = File.ReadAllText(Path.Combine(Root, "docs", "functions.md"));

        var undocumented = SettingNames().Where(name => !document.Contains($"| `{name}` |", StringComparison.Ordinal)).ToList();

        Assert.Empty(undocumented);
    }

    [Fact]
    public void LocalSettings_AreNotCommitted()
    {
        string ignore = File.ReadAllText(Path.Combine(Root, ".gitignore"));

        Assert.Contains("local.settings.json", ignore.Split('\n').Select(l => l.Trim()));
    }
}
