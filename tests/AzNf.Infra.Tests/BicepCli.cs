namespace AzNf.Infra.Tests;

/// <summary>
/// The pinned Bicep CLI, installed by scripts/install-bicep.sh (idempotent: a second run only
/// prints the path). If it cannot be installed the tests fail: a template check that silently
/// skips proves nothing.
/// </summary>
public sealed class BicepCli
{
    private readonly string _path;

    private BicepCli(string path) => _path = path;

    /// <summary>Installs the CLI if it is missing and returns it.</summary>
    public static BicepCli Install()
    {
        string root = RepositoryPaths.Root();
        CommandOutcome install = ProcessRunner.Run("bash", root, Path.Combine(root, "scripts", "install-bicep.sh"));
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/install-bicep.sh failed ({install.ExitCode}): {install.Printed}");
        }
        string path = install.Output.Trim().Split('\n')[^1].Trim();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"scripts/install-bicep.sh printed '{path}', which does not exist");
        }
        return new BicepCli(path);
    }

    /// <summary>`bicep build FILE --outdir DIR`.</summary>
    public CommandOutcome Build(string bicepFile, string outputDirectory) =>
        ProcessRunner.Run(_path, RepositoryPaths.Root(), "build", bicepFile, "--outdir", outputDirectory);

    /// <summary>`bicep lint FILE`.</summary>
    public CommandOutcome Lint(string bicepFile) => ProcessRunner.Run(_path, RepositoryPaths.Root(), "lint", bicepFile);
}
