namespace AzNf.NetworkFunctions.Tests;

/// <summary>Where the repository's files are, seen from the test binaries.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AzNf.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("AzNf.sln not found above " + AppContext.BaseDirectory);
    }
}
