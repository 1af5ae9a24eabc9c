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
        string capture = CliRunner.Generate(flows: 150, seed: 11, folder);
        string chain = CliRunner.Samples("chains", "full.json");
        var expected = CliRunner.Run(capture, chain);
        string hub = AzuriteFixture.UniqueName("crash");
        string[] args = ["run", "--capture", capture, "--chain", chain, "--runtime", "durable", "--task-hub", hub, "--partitions", "2", "--batch", "8", "--quiet"];
        await using var observer = await DurableChainRun.StartHostAsync(
            new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = hub }, runWorker: false);

        using (var first = StartAznf(args))
        {
            await WaitForCountedPacketsAsync(observer, atLeast: expected.Totals.Packets / 10, first);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            long countedAtKill = await CountedPacketsAsync(observer);
            Assert.InRange(countedAtKill, expected.Totals.Packets / 10, expected.Totals.Packets - 1);
        }
        string reportPath = Path.Combine(folder, "resumed.json");
        using var second = StartAznf([.. args, "--report", reportPath]);
        string errors = await second.StandardError.ReadToEndAsync();
        await second.WaitForExitAsync();
        Assert.True(second.ExitCode == 0, $"resumed run exited with {second.ExitCode}: {errors}");
        var resumed = RunReport.ReadJson(await File.ReadAllTextAsync(reportPath));

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

    // Packets the flow entities have counted so far: how far the durable run got.
    private static async Task<long> CountedPacketsAsync(DurableRuntimeHost observer)
    {
        long packets = 0;
        await foreach (var (key, state) in observer.QueryEntitiesAsync<FlowEntityState>(FlowEntity.Name))
        {
            packets += state.Snapshot is { } snapshot ? WorkResultTally.EndOfRun(key, snapshot).Packets : 0;
        }
        return packets;
    }

    private static async Task WaitForCountedPacketsAsync(DurableRuntimeHost observer, long atLeast, Process run)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(run.HasExited, $"the first run ended before it could be killed: {await run.StandardError.ReadToEndAsync()}");
            if (await CountedPacketsAsync(observer) >= atLeast)
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the flow entities had not counted {atLeast} packets after 3 minutes");
    }
}
