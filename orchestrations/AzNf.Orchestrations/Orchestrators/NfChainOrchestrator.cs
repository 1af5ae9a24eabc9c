using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Orchestrators;

/// <summary>
/// The <c>NfChain</c> orchestration: one unit of work through the chain. Reads the flow entity
/// (a unit already applied is a duplicate and changes nothing), runs the stages fused (one
/// <c>RunChain</c> step) or staged (one <c>RunStage</c> per stage, each on the packets still
/// forwarded), each step raced against a durable timer at its deadline, then writes back: the flow
/// entity's <c>Apply</c> (called, so the unit ends with its state stored), and one merged signal each to the source and global counters entities.
/// </summary>
/// <remarks>
/// A step that loses its race still keeps the instance Running until it returns (DESIGN.md,
/// Constraints), so the result is delivered when decided — custom status and entity signals go out
/// with the episode in which the timer fired — and the step is given the deadline to stop itself.
/// </remarks>
public sealed class NfChainOrchestrator : TaskOrchestrator<ChainWorkUnit, ChainWorkResult>
{
    public const string Name = "NfChain";

    /// <summary>
    /// A step is pure (it returns state, writes none), so a transient failure (a storage read in
    /// the chain source, a lost worker) is retried; bad input is not, it fails the same way again.
    /// </summary>
    private static readonly TaskOptions StepRetry = TaskOptions.FromRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(200))
    {
        HandleFailure = failure => !failure.IsCausedBy<ArgumentException>() && !failure.IsCausedBy<FlowSnapshotException>() && !failure.IsCausedBy<ConfigException>(),
    });

    /// <summary>Units up to this many packets get their whole result as custom status.</summary>
    public const int CustomStatusPacketLimit = 64;

    public override async Task<ChainWorkResult> RunAsync(TaskOrchestrationContext context, ChainWorkUnit input)
    {
        ArgumentNullException.ThrowIfNull(context);
        WorkUnitCheck.Validate(input);
        var flow = new EntityInstanceId(FlowEntity.Name, input.FlowKey);
        var counters = new EntityInstanceId(GlobalCountersEntity.Name, GlobalCountersEntity.Key);
        var stored = await ReadFlowAsync(context, flow, input.FlowKey);
        if (stored is not null && stored.Version >= input.LastSequenceNumber)
        {
            await context.Entities.SignalEntityAsync(counters, nameof(GlobalCountersEntity.Add), new CounterDelta(0, 1, 0, 0, 0, 0, new Dictionary<string, long>()));
            return ChainRun.Duplicate(input);
        }

        if (stored is not null && stored.Version >= input.FirstSequenceNumber)
        {
            // A batch cut differently after a restart: its packets up to the applied version count once.
            input = input with { Packets = input.Packets.Where(p => p.SequenceNumber > stored.Version).ToList() };
        }
        var run = new ChainRun(input, stored?.Snapshot);
        if (input.Mode == ChainMode.Fused)
        {
            await RunFusedAsync(context, input.Plan, run);
        }
        else
        {
            await RunStagedAsync(context, input.Plan, run);
        }

        var result = run.Result();
        // Custom status is capped at 16 KB: a large unit's status leaves out the per-packet lists.
        context.SetCustomStatus(result.Packets <= CustomStatusPacketLimit ? result : result with { Verdicts = [], Alerts = [], FinishedFlows = [] });
        // A call, not a signal: the unit completes only once the flow entity has stored its state.
        // With a signal, a worker crash while the entity's batch was in memory hid the Apply for
        // the message visibility timeout, the flow's next unit read the older state, and the
        // first unit's counts were lost (found by the crash-recovery test).
        await context.Entities.CallEntityAsync<bool>(flow, nameof(FlowEntity.Apply), new FlowUpdate(input.LastSequenceNumber, run.Snapshot, run.IdleTimeoutSeconds));
        if (run.SourceDelta() is { } source)
        {
            await context.Entities.SignalEntityAsync(new EntityInstanceId(SourceEntity.Name, source.Source), nameof(SourceEntity.Record), source.Delta);
        }
        await context.Entities.SignalEntityAsync(counters, nameof(GlobalCountersEntity.Add), run.CounterDelta());
        return result;
    }

    private static async Task<FlowEntityState?> ReadFlowAsync(TaskOrchestrationContext context, EntityInstanceId flow, string flowKey)
    {
        try
        {
            return await context.Entities.CallEntityAsync<FlowEntityState?>(flow, nameof(FlowEntity.Get));
        }
        catch (EntityOperationFailedException e)
        {
            throw new InvalidOperationException($"flow {flowKey}: its entity state cannot be read: {e.FailureDetails.ErrorMessage}", e);
        }
    }

    // Fused: one step for every stage, raced against the chain deadline, or the sum of the stage
    // deadlines when the chain has none and every stage has one.
    private static async Task RunFusedAsync(TaskOrchestrationContext context, ChainPlan plan, ChainRun run)
    {
        double? ms = plan.DeadlineMs ?? (plan.Stages.All(s => s.DeadlineMs is not null) ? plan.Stages.Sum(s => s.DeadlineMs!.Value) : null);
        DateTime? deadline = ms is null ? null : context.CurrentUtcDateTime.AddMilliseconds(ms.Value);
        var output = await RaceAsync(context, RunChainActivity.Name, run.StepInput(0, plan.Stages.Count, deadline), deadline);
        if (output is not null)
        {
            run.Finished(0, output);
        }
        else
        {
            run.Missed(0, plan.Stages.Count, plan.OnDeadline, ChainRun.ChainMarker);
        }
    }

    // Staged: each stage against its own deadline and what is left of the chain's; whichever
    // passes first decides (the chain's policy then covers this stage and every later one).
    private static async Task RunStagedAsync(TaskOrchestrationContext context, ChainPlan plan, ChainRun run)
    {
        DateTime? chainDeadline = plan.DeadlineMs is { } chainMs ? context.CurrentUtcDateTime.AddMilliseconds(chainMs) : null;
        for (int i = 0; i < plan.Stages.Count; i++)
        {
            if (run.Done)
            {
                run.NotReached(i);
                continue;
            }
            var stage = plan.Stages[i];
            DateTime? stageDeadline = stage.DeadlineMs is { } ms ? context.CurrentUtcDateTime.AddMilliseconds(ms) : null;
            bool chainDecides = chainDeadline is not null && (stageDeadline is null || chainDeadline <= stageDeadline);
            var deadline = chainDecides ? chainDeadline : stageDeadline;
            var output = await RaceAsync(context, RunStageActivity.Name, run.StepInput(i, 1, deadline), deadline);
            if (output is not null)
            {
                run.Finished(i, output);
            }
            else if (chainDecides)
            {
                run.Missed(i, plan.Stages.Count, plan.OnDeadline, ChainRun.ChainMarker);
                return;
            }
            else
            {
                run.Missed(i, i + 1, stage.OnDeadline, stage.Name);
            }
        }
    }

    /// <summary>The step's output, or null when the deadline passed first (or the step itself found it late).</summary>
    private static async Task<ChainStepOutput?> RaceAsync(TaskOrchestrationContext context, string activity, ChainStepInput input, DateTime? deadline)
    {
        var step = context.CallActivityAsync<ChainStepOutput>(activity, input, StepRetry);
        if (deadline is null)
        {
            return await step;
        }
        using var cancelTimer = new CancellationTokenSource();
        var timer = context.CreateTimer(deadline.Value, cancelTimer.Token);
        if (await Task.WhenAny(step, timer) != step)
        {
            return null;
        }
        cancelTimer.Cancel();
        var output = await step;
        return output.Late ? null : output;
    }
}
