using System.Text.Json.Nodes;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// The crash as a user meets it: <c>aznf run --runtime durable</c> killed with SIGKILL in the middle
/// of a capture, and the same command run again on the same task hub. The second process resumes
/// after the first one's checkpoints, and its report equals the embedded run's.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ResumeAfterKillTests(AzuriteFixture azurite)
{
    private const int KillAfterCheckpoints = 4;

    [Fact]
    public async Task Run_KilledAfterSomeBatches_SameCommandResumesAndReportEqualsEmbedded()
    {
        string capture = DurableChainRunTests.GeneratedCapture(flows: 60, seed: 19);
        string folder = OracleProcess.TempDirectory("resume");
        string embeddedReport = Path.Combine(folder, "embedded.json");
        string durableReport = Path.Combine(folder, "durable.json");
        string hub = AzuriteFixture.UniqueName("resume");
        string[] durable = ["run", "--capture", capture, "--runtime", "durable", "--task-hub", hub, "--batch", "100", "--partitions", "2", "--report", durableReport, "--poll-ms", "100"];

        using (var embedded = AznfProcess.Start(azurite.ConnectionString, ["run", "--capture", capture, "--partitions", "2", "--report", embeddedReport]))
        {
            await embedded.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(0, embedded.ExitCode);
        }

        int checkpoints = 0;
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var first = AznfProcess.Start(azurite.ConnectionString, durable, line =>
        {
            if (line.StartsWith("checkpoint: ", StringComparison.Ordinal) && Interlocked.Increment(ref checkpoints) == KillAfterCheckpoints)
            {
                enough.TrySetResult();
            }
        }))
        {
            await Task.WhenAny(enough.Task, first.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(3));
            Assert.False(first.HasExited, $"the first run ended (exit {(first.HasExited ? first.ExitCode : 0)}) before its {KillAfterCheckpoints}th checkpoint");
            first.Kill();
            await first.WaitForExitAsync();
            Assert.Equal(137, first.ExitCode);
        }
        Assert.False(File.Exists(durableReport), "the killed run wrote a report");

        var errors = new List<string>();
        using (var second = AznfProcess.Start(azurite.ConnectionString, durable, line => { lock (errors) { errors.Add(line); } }))
        {
            await second.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
            Assert.True(second.ExitCode == 0, $"the resumed run failed (exit {second.ExitCode}): {string.Join('\n', errors)}");
        }

        Assert.Contains(errors, l => l.StartsWith($"resumed task hub {hub} after its checkpoints", StringComparison.Ordinal));
        var expected = JsonNode.Parse(File.ReadAllText(embeddedReport))!;
        var actual = JsonNode.Parse(File.ReadAllText(durableReport))!;
        Assert.True(((JsonArray)expected["flows"]!).Count > 0 && ((JsonArray)expected["alerts"]!).Count > 0, "the capture must end with flows and raise alerts, or the comparison proves little");
        foreach (string section in (string[])["totals", "flows", "alerts"])
        {
            Assert.True(JsonNode.DeepEquals(expected[section], actual[section]), $"{section} differ:\nembedded {expected[section]?.ToJsonString()[..Math.Min(2000, expected[section]!.ToJsonString().Length)]}\nresumed  {actual[section]?.ToJsonString()[..Math.Min(2000, actual[section]!.ToJsonString().Length)]}");
        }
    }

    [Fact]
    public async Task Run_HubHoldsARunCutAnotherWay_RefusedNamingBoth()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng");
        var runtime = new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("cut"), ControlQueuePartitions = 2 };
        DurableRunRequest Request(int batch) => new() { ChainFile = chainFile, Runtime = runtime, Partitions = 2, BatchPackets = batch, Chain = new() { Granularity = AzNf.NetworkFunctions.Chain.ChainGranularity.Batch } };
        using (var reader = AzNf.Packets.Capture.CaptureReader.Open(capture))
        {
            await DurableChainRun.RunAsync(Request(32), reader);
        }

        using var again = AzNf.Packets.Capture.CaptureReader.Open(capture);
        var error = await Assert.ThrowsAsync<RunResumeException>(() => DurableChainRun.RunAsync(Request(64), again));

        Assert.Contains("up to 32 packets", error.Message, StringComparison.Ordinal);
        Assert.Contains("up to 64 packets", error.Message, StringComparison.Ordinal);
        Assert.Contains(runtime.TaskHubName, error.Message, StringComparison.Ordinal);
    }
}
