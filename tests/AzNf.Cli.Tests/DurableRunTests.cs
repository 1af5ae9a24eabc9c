using AzNf.NetworkFunctions.Chain;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

[Collection(AzuriteFixture.Collection)]
public sealed class DurableRunTests(AzuriteFixture azurite)
{
    [Fact]
    public void Run_DurableRuntimeOnSample_WritesTheEmbeddedReport()
    {
        string folder = OracleProcess.TempDirectory("durable-cli");
        string capture = CliRunner.Samples("captures", "http-loopback.pcapng");
        string chain = CliRunner.Samples("chains", "full.json");
        var expected = CliRunner.Run(capture, chain);
        string reportPath = Path.Combine(folder, "durable.json");
        Environment.SetEnvironmentVariable(AzNf.Cli.Commands.DurableRun.StorageVariable, azurite.ConnectionString);
        try
        {
            var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--chain", chain, "--runtime", "durable", "--granularity", "packet", "--mode", "staged", "--partitions", "2", "--report", reportPath, "--quiet");

            Assert.True(code == 0, $"aznf run --runtime durable exited with {code}: {errors}");
        }
        finally
        {
            Environment.SetEnvironmentVariable(AzNf.Cli.Commands.DurableRun.StorageVariable, null);
        }
        var durable = RunReport.ReadJson(File.ReadAllText(reportPath));
        Assert.Equal(expected.Flows, durable.Flows);
        Assert.Equal(expected.Alerts, durable.Alerts);
        Assert.Equal(expected.Totals.Forwarded, durable.Totals.Forwarded);
    }

    [Fact]
    public void Run_StorageSettingNotAConnectionString_UnavailableNamingTheSetting()
    {
        string capture = CliRunner.Samples("captures", "http-loopback.pcapng");
        Environment.SetEnvironmentVariable(AzNf.Cli.Commands.DurableRun.StorageVariable, "this is not a connection string");
        try
        {
            var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--runtime", "durable", "--quiet");

            Assert.Equal(ExitCodes.Unavailable, code);
            Assert.Contains("the storage in AZNF_STORAGE", errors, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(AzNf.Cli.Commands.DurableRun.StorageVariable, null);
        }
    }

    [Theory]
    [InlineData("--runtime", "lambda", "--runtime must be embedded or durable")]
    [InlineData("--granularity", "flowlet", "need --runtime durable")]
    [InlineData("--runtime durable --mode", "sideways", "--mode must be fused or staged")]
    public void Run_BadDurableOptions_UsageErrorNamingTheOption(string option, string value, string message)
    {
        string capture = CliRunner.Samples("captures", "http-loopback.pcapng");

        var (code, errors) = CliRunner.Aznf(["run", "--capture", capture, .. option.Split(' '), value, "--quiet"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, errors, StringComparison.Ordinal);
    }
}
