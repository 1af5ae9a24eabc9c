using System.Reflection;

namespace AzNf.Functions.Tests;

/// <summary>Where the Functions app was built, as this test assembly was told at build time.</summary>
internal static class FunctionsOutput
{
    public static string Directory { get; } = Path.GetFullPath(
        typeof(FunctionsOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FunctionsOutput").Value!);

    public static string File(string name) => Path.Combine(Directory, name);
}
