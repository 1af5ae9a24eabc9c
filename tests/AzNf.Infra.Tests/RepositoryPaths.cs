namespace AzNf.Infra.Tests;

/// <summary>Locates the repository from the test binaries, which live under tests/.../bin.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding AzNf.sln.</summary>
    public static string Root()
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

    /// <summary>A path inside the repository.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root(), .. parts]);

    /// <summary>A fresh temporary folder for one test's files.</summary>
    public static string TempDirectory(string purpose)
    {
        string path = Path.Combine(Path.GetTempPath(), "aznf-tests", purpose, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
