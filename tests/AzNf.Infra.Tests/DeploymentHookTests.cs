using System.Text.RegularExpressions;

namespace AzNf.Infra.Tests;

/// <summary>azure.yaml and its postprovision hook must agree with what main.bicep outputs.</summary>
[Collection(CompiledMainTemplateCollection.Name)]
public sealed partial class DeploymentHookTests(CompiledMainTemplate compiled)
{
    private const string HookPath = "infra-bicep/hooks/deploy-functions-package.sh";

    [Fact]
    public void AzureYaml_Infra_PointsAtMainBicepAndTheHook()
    {
        string yaml = File.ReadAllText(RepositoryPaths.Combine("azure.yaml"));

        Assert.Matches(@"(?m)^\s+path: infra-bicep\s*$", yaml);
        Assert.Matches(@"(?m)^\s+module: main\s*$", yaml);
        Assert.Contains($"run: ./{HookPath}", yaml, StringComparison.Ordinal);
        Assert.True(File.Exists(RepositoryPaths.Combine(HookPath.Split('/'))), HookPath);
    }

    [Fact]
    public void Hook_EnvironmentValuesItReads_AreOutputsOfMain()
    {
        string hook = File.ReadAllText(RepositoryPaths.Combine(HookPath.Split('/')));
        var outputs = compiled.Template.Root.GetProperty("outputs").EnumerateObject().Select(output => output.Name).ToHashSet();

        var read = EnvironmentValue().Matches(hook).Select(match => match.Groups[1].Value).Distinct().ToList();

        Assert.NotEmpty(read);
        Assert.All(read, name => Assert.Contains(name, outputs));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Hook_File_IsExecutable()
    {
        UnixFileMode mode = File.GetUnixFileMode(RepositoryPaths.Combine(HookPath.Split('/')));

        Assert.True(mode.HasFlag(UnixFileMode.UserExecute));
    }

    [GeneratedRegex(@"\$\{?(AZURE_[A-Z_]+)")]
    private static partial Regex EnvironmentValue();
}
