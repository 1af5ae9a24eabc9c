using System.Diagnostics;
using AzNf.DurableRuntime;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

[CollectionDefinition(AzuriteFixture.Collection)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

[Collection(AzuriteFixture.Collection)]
public sealed class DurableRunTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Run_WorkerKilledMidRun_ResumedRunCountsEveryFlowExactlyOnce()
    {
        string folder = OracleProcess.TempDirectory("durable-crash");
        string capture = CliRunner.Generate(flows: 40, seed: 11, folder);
        string chain = CliRunner.Samples("chains", "full.json");
        var expected = CliRunner.Run(capture, chain);
        string hub = AzuriteFixture.UniqueName("crash");
        string[] args = ["run", "--capture", capture, "--chain", chain, "--runtime", "durable", "--task-hub", hub, "--partitions", "2", "--batch", "16", "--quiet"];
        await using var observer = await DurableChainRun.StartHostAsync(
            new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = hub }, runWorker: false);

        using (var first = StartAznf(args))
        {
            int flowsAtKill = await WaitForFlowEntitiesAsync(observer, atLeast: 5, first);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            Assert.InRange(flowsAtKill, 5, expected.Flows.Count - 1);
        }
        string reportPath = Path.Combine(folder, "resumed.json");
        using var second = StartAznf([.. args, "--report", reportPath]);
        string errors = await second.StandardError.ReadToEndAsync();
        await second.WaitForExitAsync();
        var resumed = RunReport.ReadJson(await File.ReadAllTextAsync(reportPath));

        Assert.True(second.ExitCode == 0, $"resumed run exited with {second.ExitCode}: {errors}");
        Assert.Equal(expected.Flows, resumed.Flows);
        Assert.Equal(expected.Alerts, resumed.Alerts);
        Assert.Equal(expected.Totals.Packets, resumed.Totals.Packets);
        Assert.Equal(expected.Totals.Dropped, resumed.Totals.Dropped);
    }

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

    private Process StartAznf(string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "aznf.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment[AzNf.Cli.Commands.DurableRun.StorageVariable] = azurite.ConnectionString;
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        return process;
    }

    private static async Task<int> WaitForFlowEntitiesAsync(DurableRuntimeHost observer, int atLeast, Process run)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(run.HasExited, $"the first run ended before it could be killed: {await run.StandardError.ReadToEndAsync()}");
            int count = 0;
            await foreach (var (_, state) in observer.QueryEntitiesAsync<FlowEntityState>(FlowEntity.Name))
            {
                count += state.Snapshot is null ? 0 : 1;
            }
            if (count >= atLeast)
            {
                return count;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"fewer than {atLeast} flow entities after 3 minutes");
    }
}
