namespace AzNf.Cli;

/// <summary>The samples shipped next to the tool (copied into its output folder at build).</summary>
internal static class SamplePaths
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "samples");

    public static string FullChain => Path.Combine(Root, "chains", "full.json");
}
