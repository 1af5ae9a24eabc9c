namespace AzNf.Infra.Tests;

/// <summary>
/// infra-bicep/main.bicep compiled once per test run with the pinned Bicep CLI: the ARM JSON the
/// tests read, and whatever the build printed.
/// </summary>
public sealed class CompiledMainTemplate
{
    /// <summary>Installs the CLI if needed and builds main.bicep into a temporary folder.</summary>
    public CompiledMainTemplate()
    {
        Cli = BicepCli.Install();
        MainBicep = RepositoryPaths.Combine("infra-bicep", "main.bicep");
        string outputDirectory = RepositoryPaths.TempDirectory("bicep-build");
        BuildOutcome = Cli.Build(MainBicep, outputDirectory);
        string compiled = Path.Combine(outputDirectory, "main.json");
        if (BuildOutcome.ExitCode != 0 || !File.Exists(compiled))
        {
            throw new InvalidOperationException($"bicep build failed ({BuildOutcome.ExitCode}): {BuildOutcome.Printed}");
        }
        Template = new ArmTemplate(File.ReadAllText(compiled));
    }

    /// <summary>The installed Bicep CLI.</summary>
    public BicepCli Cli { get; }

    /// <summary>Path of infra-bicep/main.bicep.</summary>
    public string MainBicep { get; }

    /// <summary>What `bicep build` printed (warnings go here, with exit code 0).</summary>
    public CommandOutcome BuildOutcome { get; }

    /// <summary>The compiled template.</summary>
    public ArmTemplate Template { get; }
}
