namespace AzNf.Infra.Tests;

/// <summary>
/// The Bicep CLI exits 0 on warnings, so "it compiled" proves little: these tests require that
/// build and lint print nothing at all, as scripts/check-bicep.sh does in CI.
/// </summary>
[Collection(CompiledMainTemplateCollection.Name)]
public sealed class LintTests(CompiledMainTemplate compiled)
{
    [Fact]
    public void Build_MainBicep_PrintsNoDiagnostic()
    {
        CommandOutcome build = compiled.BuildOutcome;

        Assert.Equal(0, build.ExitCode);
        Assert.Equal("", build.Printed);
    }

    [Fact]
    public void Lint_MainBicep_PrintsNoDiagnostic()
    {
        CommandOutcome lint = compiled.Cli.Lint(compiled.MainBicep);

        Assert.Equal(0, lint.ExitCode);
        Assert.Equal("", lint.Printed);
    }

    [Fact]
    public void Lint_UnusedParameterAdded_PrintsAWarningDespiteExitCodeZero()
    {
        // The check above is only worth something if a warning does show up in what it reads.
        string copy = RepositoryPaths.TempDirectory("bicep-lint");
        CopyDirectory(RepositoryPaths.Combine("infra-bicep"), copy);
        string main = Path.Combine(copy, "main.bicep");
        File.AppendAllText(main, "\nparam unusedProbe string = 'x'\n");

        CommandOutcome lint = compiled.Cli.Lint(main);

        Assert.Equal(0, lint.ExitCode);
        Assert.Contains("no-unused-params", lint.Printed, StringComparison.Ordinal);
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (string directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(source, target, StringComparison.Ordinal));
        }
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(source, target, StringComparison.Ordinal));
        }
    }
}
