namespace AzNf.Azurite;

/// <summary>How to install and start a private Azurite.</summary>
public sealed record AzuriteOptions
{
    /// <summary>The npm package version, pinned so every machine runs the same emulator.</summary>
    public const string PinnedVersion = "3.37.0";

    /// <summary>
    /// Where the npm package is installed: <c>$AZNF_TOOLS_DIR/azurite-3.37.0</c>, or
    /// <c>~/.cache/aznf/azurite-3.37.0</c>. Installed once, shared by every run and test process.
    /// </summary>
    public string InstallDirectory { get; init; } = DefaultInstallDirectory();

    /// <summary>Keep data in memory (the default) instead of a temporary folder on disk.</summary>
    public bool InMemory { get; init; } = true;

    /// <summary>How long to wait for the three services to accept connections.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Azurite's debug log (<c>--debug FILE</c>): one line per request and more, the judge of what
    /// the storage request counter counts. Null: none (the log costs Azurite time).
    /// </summary>
    public string? DebugLog { get; init; }

    /// <summary>How long <c>npm install</c> may take on a machine that does not have the package yet.</summary>
    public TimeSpan InstallTimeout { get; init; } = TimeSpan.FromMinutes(5);

    private static string DefaultInstallDirectory()
    {
        string? root = Environment.GetEnvironmentVariable("AZNF_TOOLS_DIR");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "aznf");
        }
        return Path.Combine(root, "azurite-" + PinnedVersion);
    }
}
