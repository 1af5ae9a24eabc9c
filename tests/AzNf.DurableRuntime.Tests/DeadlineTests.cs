using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations;
using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.TestOracles;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;

namespace AzNf.DurableRuntime.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class DeadlineTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("fail-open", DeadlinePolicy.FailOpen, "flowlet")]
    [InlineData("fail-closed", DeadlinePolicy.FailClosed, "flowlet")]
    [InlineData("skip", DeadlinePolicy.Skip, "flowlet")]
    [InlineData("fail-open", DeadlinePolicy.FailOpen, "batch")]
    [InlineData("fail-closed", DeadlinePolicy.FailClosed, "batch")]
    [InlineData("skip", DeadlinePolicy.Skip, "batch")]
    public async Task RunAsync_IdsStageSlowerThanItsDeadline_PolicyApplied(string onDeadline, DeadlinePolicy policy, string granularity)
    {
        string chainFile = WriteChain(onDeadline, granularity);
        var embedded = DurableChainRunTests.Embedded(chainFile, SampleCapture);

        var egress = granularity == "batch" ? new RecordingEgress() : null;
        var durable = await RunAsync(chainFile, egress);

        var report = durable.Report;
        var ids = report.Nfs.Single(n => n.Name == "ids");
        if (egress is not null)
        {
            // What the policy let through, and only that, goes on to the next hop.
            Assert.Equal(report.Totals.Forwarded, egress.Packets.Count);
        }
        Assert.Empty(durable.Failures);
        Assert.NotEmpty(embedded.Alerts);
        Assert.Empty(report.Alerts);
        Assert.Equal(embedded.Flows.Select(f => (f.Key, f.Packets)), report.Flows.Select(f => (f.Key, f.Packets)));
        Assert.All(durable.Timings, t => Assert.Equal(policy, t.Stages.Single(s => s.Stage == "ids").AppliedPolicy));
        Assert.True(ids.Counters.GetValueOrDefault(WorkResultTally.DeadlineMissesCounter) > 0);
        if (policy == DeadlinePolicy.FailClosed)
        {
            Assert.Equal(report.Totals.Packets, report.Totals.Dropped);
            Assert.Equal(report.Totals.Packets, report.Totals.DropReasons["deadline:ids"]);
        }
        else
        {
            Assert.Equal(report.Totals.Packets, report.Totals.Forwarded);
        }
    }

    [Fact]
    public async Task RunAsync_StageWithinItsDeadline_NoMissAndSameAlerts()
    {
        string chainFile = WriteChain("fail-closed", "batch", deadlineMs: 60_000);
        var embedded = DurableChainRunTests.Embedded(chainFile, SampleCapture);

        var durable = await RunAsync(chainFile);

        Assert.Equal(embedded.Alerts, durable.Report.Alerts);
        Assert.All(durable.Timings, t => Assert.All(t.Stages, s => Assert.False(s.DeadlineMissed)));
    }

    private static string SampleCapture => Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng");

    private async Task<DurableRunResult> RunAsync(string chainFile, RecordingEgress? egress = null)
    {
        using var capture = AzNf.Packets.Capture.CaptureReader.Open(SampleCapture);
        return await DurableChainRun.RunAsync(
            new DurableRunRequest
            {
                ChainFile = chainFile,
                Runtime = new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("qos"), ControlQueuePartitions = 2 },
                Partitions = 2,
                BatchPackets = 64,
                Chain = new DurableChainOptions { Egress = egress },
                Tasks = DurableChainRun.Tasks(new NfTask(RunStageActivity.Name, typeof(SlowIdsStageActivity)), new NfTask(FlowShardEntity.Name, typeof(SlowIdsFlowShardEntity))),
            },
            capture);
    }

    private static string WriteChain(string onDeadline, string granularity, int deadlineMs = 300)
    {
        string folder = OracleProcess.TempDirectory("deadline");
        File.Copy(Path.Combine(OracleProcess.RepositoryRoot(), "samples", "rules", "ids.rules"), Path.Combine(folder, "ids.rules"));
        string path = Path.Combine(folder, "slow-ids.json");
        File.WriteAllText(path, $$"""
            {
              "name": "slowids{{onDeadline.Replace("-", "", StringComparison.Ordinal)}}",
              "mode": "staged",
              "granularity": "{{granularity}}",
              "variables": { "HOME_NET": "[127.0.0.0/8,10.0.0.0/8,fd00::/8]", "EXTERNAL_NET": "any", "HTTP_PORTS": "[80,8080,18080]" },
              "stages": [
                { "name": "counter", "type": "counter" },
                { "name": "ids", "type": "ids", "rules": "ids.rules", "deadlineMs": {{deadlineMs}}, "onDeadline": "{{onDeadline}}" }
              ]
            }
            """);
        return path;
    }
}

/// <summary>
/// The flows entity made slow on purpose for the IDS stage (stage 1): it sleeps past any short
/// deadline, then runs — and finds itself late, so it changes nothing.
/// </summary>
public sealed class SlowIdsFlowShardEntity(IChainSource chains, IPacketBatchStore packets) : TaskEntity<FlowShardState?>
{
    private readonly FlowShardProcessor _processor = new(chains, packets, TimeProvider.System, FlowEntity.MinimumIdleTimeout, new FlowShardOptions());
    private FlowShardBatch? _batch;

    public async Task<ShardStepResult> Process(ShardStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.FirstStage == 1)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        _batch ??= new FlowShardBatch(State);
        var (result, state) = await _processor.RunAsync(step, State, Context.Id.Key, _batch);
        State = state;
        return result;
    }

    protected override FlowShardState? InitializeState(TaskEntityOperation entityOperation) => null;
}

/// <summary>RunStage made slow on purpose for the IDS stage (stage 1): it sleeps past any short deadline, then runs.</summary>
public sealed class SlowIdsStageActivity(IChainSource chains) : TaskActivity<ChainStepInput, ChainStepOutput>
{
    private readonly ChainStepRunner _runner = new(chains);

    public override async Task<ChainStepOutput> RunAsync(TaskActivityContext context, ChainStepInput input)
    {
        if (input.FirstStage == 1)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        return await _runner.RunAsync(input);
    }
}
