using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Tests;

/// <summary>The repository's sample chains, and chains written to a temp folder for one test.</summary>
internal static class TestChains
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string FullChainPath => Path.Combine(RepositoryRoot, "samples", "chains", "full.json");

    public static ChainDefinition Full() => ChainDefinition.Load(FullChainPath);

    public static ChainDefinition Parse(string json) => ChainDefinition.Parse(json, "test.json", Path.GetTempPath());

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AzNf.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("AzNf.sln not found above " + AppContext.BaseDirectory);
    }
}
