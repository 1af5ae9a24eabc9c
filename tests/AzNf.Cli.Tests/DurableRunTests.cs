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

    /// <summary>Storage that does not answer (nothing listens on its port): after the retry budget (about 20 s), exit 69 and one line naming the storage and the endpoint.</summary>
    [Fact]
    public void Run_StorageDown_UnavailableAfterTheRetriesInOneLine()
    {
        string capture = CliRunner.Samples("captures", "http-loopback.pcapng");
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        string endpoint = $"http://127.0.0.1:{port}/devstoreaccount1";
        Environment.SetEnvironmentVariable(
            AzNf.Cli.Commands.DurableRun.StorageVariable,
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Convert.ToBase64String(new byte[64])};BlobEndpoint={endpoint};QueueEndpoint={endpoint};TableEndpoint={endpoint};");
        try
        {
            var (code, errors) = CliRunner.Aznf("run", "--capture", capture, "--runtime", "durable", "--quiet");

            Assert.Equal(ExitCodes.Unavailable, code);
            string line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("the storage in AZNF_STORAGE", line, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{port}", line, StringComparison.Ordinal);
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
    [InlineData("--runtime durable --granularity", "partition", "--granularity must be packet, flowlet, flow or batch")]
    [InlineData("--shards", "4", "need --runtime durable")]
    [InlineData("--runtime durable --shards", "0", "--shards must be 1..4096")]
    [InlineData("--runtime durable --flow-map-cache", "10000001", "--flow-map-cache must be 0..10000000")]
    [InlineData("--flow-map-cache", "1000", "need --runtime durable")]
    [InlineData("--runtime durable --batch-mb", "257", "--batch-mb must be 1..256")]
    [InlineData("--runtime durable --control-queues", "17", "--control-queues must be 1..16")]
    [InlineData("--runtime durable --poll-ms", "0", "--poll-ms must be 1..60000")]
    public void Run_BadDurableOptions_UsageErrorNamingTheOption(string option, string value, string message)
    {
        string capture = CliRunner.Samples("captures", "http-loopback.pcapng");

        var (code, errors) = CliRunner.Aznf(["run", "--capture", capture, .. option.Split(' '), value, "--quiet"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Worker_NoTaskHub_UsageErrorNamingTheOption()
    {
        var (code, errors) = CliRunner.Aznf(["worker"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--task-hub NAME is required", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Worker_NoStorage_UsageErrorNamingTheVariable()
    {
        Environment.SetEnvironmentVariable(AzNf.Cli.Commands.DurableRun.StorageVariable, null);

        var (code, errors) = CliRunner.Aznf(["worker", "--task-hub", "somehub"]);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("AZNF_STORAGE is not set", errors, StringComparison.Ordinal);
    }
}
