using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;
using AzNf.Orchestrations.Tests.Fakes;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests.Orchestrators;

public class NfChainOrchestratorTests
{
    private const string Flow = "tcp 127.0.0.1:40001 <-> 127.0.0.2:80";
    private static readonly byte[] Stored = [0xAA];

    [Fact]
    public async Task Fused_NoDeadline_OneRunChainStepAndItsStateApplied()
    {
        var context = Context();
        context.Activity = (_, input) => Task.FromResult(Output(input, stage: 0, stages: 3, dropped: [1]));

        var result = await Run(context, Unit(ChainMode.Fused, Plan()));

        var call = Assert.Single(context.ActivityCalls);
        Assert.Equal(("RunChain", 0, 3, Stored), (call.Name, call.Input.FirstStage, call.Input.StageCount, call.Input.Snapshot));
        Assert.Null(call.Input.DeadlineUtc);
        Assert.Empty(context.Timers);
        Assert.Equal([true, false, true], result.Verdicts.Select(v => v.Forwarded));
        Assert.Equal((2L, 1L), (result.Forwarded, result.Dropped));
        var apply = Assert.Single(context.Calls, s => s.Operation == "Apply");
        Assert.Equal("@flow@" + Flow, apply.Id.ToString());
        Assert.Equal(12, ((FlowUpdate)apply.Input!).Version);
        Assert.Equal([0x12], ((FlowUpdate)apply.Input!).Snapshot);
    }

    [Fact]
    public async Task Duplicate_FlowAlreadyAtTheUnitsLastSequence_NothingRunsNothingApplied()
    {
        var context = Context(storedVersion: 12);

        var result = await Run(context, Unit(ChainMode.Fused, Plan()));

        Assert.True(result.Duplicate);
        Assert.Empty(context.ActivityCalls);
        Assert.DoesNotContain(context.Calls, s => s.Operation is "Apply");
        Assert.DoesNotContain(context.Signals, s => s.Operation is "Record");
        Assert.Equal(1, ((CounterDelta)Assert.Single(context.Signals).Input!).Duplicates);
    }

    [Fact]
    public async Task PartlyApplied_PacketsUpToTheStoredVersionAreLeftOut()
    {
        var context = Context(storedVersion: 10);
        context.Activity = (_, input) => Task.FromResult(Output(input, 0, 3));

        var result = await Run(context, Unit(ChainMode.Fused, Plan()));

        Assert.Equal([11L, 12L], context.ActivityCalls.Single().Input.Packets.Select(p => p.SequenceNumber));
        Assert.Equal([11L, 12L], result.Verdicts.Select(v => v.SequenceNumber));
    }

    [Fact]
    public async Task Staged_StageDropsAPacket_LaterStagesGetOnlyForwardedPacketsAndTheEarlierState()
    {
        var context = Context();
        context.Activity = (_, input) => Task.FromResult(Output(input, input.FirstStage, 1, dropped: input.FirstStage == 1 ? [0] : []));

        var result = await Run(context, Unit(ChainMode.Staged, Plan()));

        Assert.Equal(["RunStage", "RunStage", "RunStage"], context.ActivityCalls.Select(c => c.Name));
        Assert.Equal([10L, 11L, 12L], context.ActivityCalls[1].Input.Packets.Select(p => p.SequenceNumber));
        Assert.Equal([11L, 12L], context.ActivityCalls[2].Input.Packets.Select(p => p.SequenceNumber));
        Assert.Equal([0x11], context.ActivityCalls[2].Input.Snapshot);
        Assert.Equal([false, true, true], result.Verdicts.Select(v => v.Forwarded));
        Assert.Equal([0x12], ApplyInput(context).Snapshot);
    }

    [Fact]
    public async Task Staged_StageMissesFailOpen_ForwardedMarkedAndItsStateLost()
    {
        var context = Context();
        context.Activity = SlowStage(1);

        var result = await Run(context, Unit(ChainMode.Staged, Plan(stage1: (5, DeadlinePolicy.FailOpen))));

        Assert.Equal(FakeOrchestrationContext.Start.AddMilliseconds(5), context.Timers.Single().FireAt);
        Assert.Equal(FakeOrchestrationContext.Start.AddMilliseconds(5), context.ActivityCalls[1].Input.DeadlineUtc);
        Assert.All(result.Verdicts, v => Assert.Equal((true, "firewall"), (v.Forwarded, v.MarkedBy)));
        Assert.Equal([0x10], context.ActivityCalls[2].Input.Snapshot);
        Assert.Equal([10L, 11L, 12L], context.ActivityCalls[2].Input.Packets.Select(p => p.SequenceNumber));
        Assert.Equal((true, DeadlinePolicy.FailOpen), (result.Stages[1].DeadlineMissed, result.Stages[1].AppliedPolicy!.Value));
        Assert.Equal([0x12], ApplyInput(context).Snapshot);
        Assert.Equal(1, CountersInput(context).DeadlineMissesByStage["firewall"]);
    }

    [Fact]
    public async Task Staged_StageMissesSkip_ForwardedUnmarkedAndNextStageRuns()
    {
        var context = Context();
        context.Activity = SlowStage(1);

        var result = await Run(context, Unit(ChainMode.Staged, Plan(stage1: (5, DeadlinePolicy.Skip))));

        Assert.All(result.Verdicts, v => Assert.Equal((true, (string?)null), (v.Forwarded, v.MarkedBy)));
        Assert.Equal(3, context.ActivityCalls.Count);
        Assert.Equal([0x10], context.ActivityCalls[2].Input.Snapshot);
        Assert.True(result.Stages[1].DeadlineMissed);
    }

    [Fact]
    public async Task Staged_StageMissesFailClosed_AllDroppedLaterStagesNotRunEarlierStateKept()
    {
        var context = Context();
        context.Activity = SlowStage(1);

        var result = await Run(context, Unit(ChainMode.Staged, Plan(stage1: (5, DeadlinePolicy.FailClosed))));

        Assert.All(result.Verdicts, v => Assert.Equal((false, "deadline:firewall"), (v.Forwarded, v.Reason)));
        Assert.Equal(2, context.ActivityCalls.Count);
        Assert.Equal((0L, false), (result.Stages[2].PacketsIn, result.Stages[2].DeadlineMissed));
        Assert.Equal([0x10], ApplyInput(context).Snapshot);
        Assert.Equal(3, CountersInput(context).Drops);
    }

    [Fact]
    public async Task Staged_ChainDeadlineBeforeTheStages_ChainPolicyCoversTheRest()
    {
        var context = Context();
        context.Activity = SlowStage(1);
        var plan = Plan(stage1: (50, DeadlinePolicy.FailOpen)) with { DeadlineMs = 20, OnDeadline = DeadlinePolicy.FailClosed };

        var result = await Run(context, Unit(ChainMode.Staged, plan));

        Assert.True(result.ChainDeadlineMissed);
        Assert.Equal(FakeOrchestrationContext.Start.AddMilliseconds(20), context.Timers[1].FireAt);
        Assert.All(result.Verdicts, v => Assert.Equal("deadline:chain", v.Reason));
        Assert.Equal(2, context.ActivityCalls.Count);
        Assert.True(result.Stages[1].DeadlineMissed && result.Stages[2].DeadlineMissed);
        Assert.Equal(1, CountersInput(context).DeadlineMissesByStage["chain"]);
    }

    [Fact]
    public async Task Fused_StepLate_ChainPolicyAndTheFlowKeepsItsStoredState()
    {
        var context = Context();
        context.Activity = (_, _) => new TaskCompletionSource<ChainStepOutput>().Task;
        var plan = Plan() with { DeadlineMs = 30, OnDeadline = DeadlinePolicy.FailOpen };

        var result = await Run(context, Unit(ChainMode.Fused, plan));

        Assert.True(result.ChainDeadlineMissed);
        Assert.All(result.Verdicts, v => Assert.Equal((true, "chain"), (v.Forwarded, v.MarkedBy)));
        Assert.Equal(Stored, ApplyInput(context).Snapshot);
        Assert.Same(result, context.CustomStatus);
    }

    [Fact]
    public async Task Fused_NoChainDeadline_RacesTheSumOfStageDeadlines()
    {
        var context = Context();
        context.Activity = (_, input) => Task.FromResult(Output(input, 0, 3));
        var plan = Plan(stage1: (5, DeadlinePolicy.FailOpen));
        plan = plan with { Stages = plan.Stages.Select(s => s with { DeadlineMs = s.DeadlineMs ?? 10 }).ToList() };

        await Run(context, Unit(ChainMode.Fused, plan));

        Assert.Equal(FakeOrchestrationContext.Start.AddMilliseconds(25), context.Timers.Single().FireAt);
    }

    [Fact]
    public async Task StepWinsTheRace_TimerCancelled()
    {
        var context = Context();
        context.Activity = (_, input) => Task.FromResult(Output(input, input.FirstStage, 1));

        var result = await Run(context, Unit(ChainMode.Staged, Plan(stage1: (5, DeadlinePolicy.FailClosed))));

        Assert.True(context.Timers.Single().Cancellation.IsCancellationRequested);
        Assert.All(result.Verdicts, v => Assert.True(v.Forwarded));
    }

    [Fact]
    public async Task StepReportsLate_TreatedAsAMiss()
    {
        var context = Context();
        context.Activity = (_, input) => Task.FromResult(input.FirstStage == 1 ? new ChainStepOutput { Late = true } : Output(input, input.FirstStage, 1));

        var result = await Run(context, Unit(ChainMode.Staged, Plan(stage1: (5, DeadlinePolicy.FailClosed))));

        Assert.All(result.Verdicts, v => Assert.False(v.Forwarded));
    }

    [Fact]
    public async Task SharedEntities_SignalledOnceEachWithMergedTotals()
    {
        var context = Context();
        context.Activity = (_, input) => Task.FromResult(Output(input, 0, 3, dropped: [0, 2]) with
        {
            Alerts = [Alert(11), Alert(12)],
            NewFlow = true,
            Originator = "127.0.0.1",
            ResponderPort = 80,
        });

        await Run(context, Unit(ChainMode.Fused, Plan()));

        var record = Assert.Single(context.Signals, s => s.Operation == "Record");
        Assert.Equal("@source@127.0.0.1", record.Id.ToString());
        var source = (SourceDelta)record.Input!;
        Assert.Equal((2L, 2L, 1L), (source.Alerts, source.Drops, source.NewFlows));
        Assert.Equal([(ushort)80], source.DestinationPorts);
        var counters = CountersInput(context);
        Assert.Equal((1L, 3L, 300L, 2L, 2L), (counters.Units, counters.Packets, counters.Bytes, counters.Alerts, counters.Drops));
        Assert.Equal(2, context.Signals.Count);
        Assert.Single(context.Calls, c => c.Operation == "Apply");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task MalformedUnit_StageDeadlineNotPositive_FailsNamingFlowAndStage(double deadline)
    {
        var context = Context();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Run(context, Unit(ChainMode.Staged, Plan(stage1: (deadline, DeadlinePolicy.Skip)))));

        Assert.Contains(Flow, error.Message, StringComparison.Ordinal);
        Assert.Contains("stage 'firewall'", error.Message, StringComparison.Ordinal);
        Assert.Empty(context.ActivityCalls);
        Assert.Empty(context.Signals);
    }

    [Fact]
    public async Task MalformedUnit_NoPackets_FailsNamingTheFlow()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Run(Context(), Unit(ChainMode.Fused, Plan()) with { Packets = [] }));

        Assert.Contains($"flow {Flow}: malformed work unit: no packets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlowEntityUnreadable_FailsNamingTheFlow()
    {
        var context = Context();
        context.EntityCalls[("@flow@" + Flow, "Get")] = new Microsoft.DurableTask.Entities.EntityOperationFailedException(
            new Microsoft.DurableTask.Entities.EntityInstanceId("flow", Flow), "Get", new Microsoft.DurableTask.TaskFailureDetails("JsonException", "bad state", null, null, null));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Run(context, Unit(ChainMode.Fused, Plan())));

        Assert.Contains($"flow {Flow}: its entity state cannot be read", error.Message, StringComparison.Ordinal);
    }

    private static FakeOrchestrationContext Context(long storedVersion = 5)
    {
        var context = new FakeOrchestrationContext();
        context.EntityCalls[("@flow@" + Flow, "Get")] = new FlowEntityState { Version = storedVersion, Snapshot = Stored };
        return context;
    }

    private static Task<ChainWorkResult> Run(FakeOrchestrationContext context, ChainWorkUnit unit) =>
        new NfChainOrchestrator().RunAsync(context, unit);

    private static ChainPlan Plan((double Ms, DeadlinePolicy Policy)? stage1 = null) => new(
        [
            new StagePlan("counter", "counter", null, DeadlinePolicy.FailOpen),
            new StagePlan("firewall", "firewall", stage1?.Ms, stage1?.Policy ?? DeadlinePolicy.FailOpen),
            new StagePlan("ids", "ids", null, DeadlinePolicy.FailOpen),
        ],
        null,
        DeadlinePolicy.FailOpen);

    private static ChainWorkUnit Unit(ChainMode mode, ChainPlan plan) => new()
    {
        ChainName = "full",
        Partition = 0,
        FlowKey = Flow,
        Mode = mode,
        FirstSequenceNumber = 10,
        LastSequenceNumber = 12,
        RuleSetVersion = 1,
        BlocklistVersion = 0,
        Plan = plan,
        Packets = [.. Enumerable.Range(10, 3).Select(i => new WorkPacket(i, 0, i, LinkType.Ethernet, i, 100, [1]))],
    };

    /// <summary>A step's output: snapshot [0x10 + last stage], the given input positions dropped.</summary>
    private static ChainStepOutput Output(ChainStepInput input, int stage, int stages, int[]? dropped = null) => new()
    {
        Verdicts = input.Packets.Select((_, i) => new StepVerdict(dropped?.Contains(i) == true, dropped?.Contains(i) == true ? "test-drop" : null)).ToList(),
        Stages = Enumerable.Range(stage, stages).Select(s => new StageOutcome($"s{s}", input.Packets.Count, input.Packets.Count, 0, 1, false, null)).ToList(),
        Snapshot = [(byte)(0x10 + stage + stages - 1)],
        IdleTimeoutSeconds = 60,
    };

    /// <summary>Stage <paramref name="slow"/> never finishes in time; the others finish at once.</summary>
    private static Func<string, ChainStepInput, Task<ChainStepOutput>> SlowStage(int slow) => (_, input) =>
        input.FirstStage == slow ? new TaskCompletionSource<ChainStepOutput>().Task : Task.FromResult(Output(input, input.FirstStage, 1));

    private static ReportAlert Alert(long index) => new(1, 1, "m", "alert", "tcp", "127.0.0.1", 40001, "127.0.0.2", 80, index, null, "ids");

    private static FlowUpdate ApplyInput(FakeOrchestrationContext context) => (FlowUpdate)context.Calls.Single(s => s.Operation == "Apply").Input!;

    private static CounterDelta CountersInput(FakeOrchestrationContext context) => (CounterDelta)context.Signals.Single(s => s.Operation == "Add").Input!;
}
