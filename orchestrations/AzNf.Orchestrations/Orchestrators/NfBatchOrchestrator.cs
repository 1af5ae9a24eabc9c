using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Orchestrators;

/// <summary>
/// The <c>NfBatch</c> orchestration: one partition batch through the chain, by reference. Each
/// flow shard the batch touches runs its slice in its <c>flows</c> entity (in parallel across
/// shards): fused, one <c>Process</c> per shard for every stage; staged, one per shard and stage,
/// each stage on the packets the earlier ones forwarded. Every round is raced against its
/// deadline; a shard that misses gets the declared policy. Then one merged signal to the global
/// counters and one per source shard.
/// </summary>
/// <remarks>
/// The orchestration's history holds references and compact results only: the packets stay in
/// their blob. Entity calls, not signals, for the steps: the batch ends only once every shard has
/// stored its flows, so the consumer's checkpoint never passes a packet whose effects are not stored.
/// </remarks>
public sealed class NfBatchOrchestrator : TaskOrchestrator<ChainBatch, ChainBatchResult>
{
    public const string Name = "NfBatch";

    public override async Task<ChainBatchResult> RunAsync(TaskOrchestrationContext context, ChainBatch input)
    {
        ArgumentNullException.ThrowIfNull(context);
        Validate(input);
        var run = new BatchRun(input);
        var plan = input.Plan;
        if (input.Mode == ChainMode.Fused)
        {
            double? ms = plan.DeadlineMs ?? (plan.Stages.All(s => s.DeadlineMs is not null) ? plan.Stages.Sum(s => s.DeadlineMs!.Value) : null);
            DateTime? deadline = ms is null ? null : context.CurrentUtcDateTime.AddMilliseconds(ms.Value);
            await RoundAsync(context, input, run, 0, plan.Stages.Count, deadline, plan.OnDeadline, ChainRun.ChainMarker);
        }
        else
        {
            DateTime? chainDeadline = plan.DeadlineMs is { } chainMs ? context.CurrentUtcDateTime.AddMilliseconds(chainMs) : null;
            for (int i = 0; i < plan.Stages.Count; i++)
            {
                if (chainDeadline is not null && context.CurrentUtcDateTime >= chainDeadline)
                {
                    // The chain's time is up between rounds: its policy decides every stage left.
                    run.MissedAll(i, plan.OnDeadline, ChainRun.ChainMarker);
                    break;
                }
                var stage = plan.Stages[i];
                DateTime? stageDeadline = stage.DeadlineMs is { } ms ? context.CurrentUtcDateTime.AddMilliseconds(ms) : null;
                bool chainDecides = chainDeadline is not null && (stageDeadline is null || chainDeadline <= stageDeadline);
                var deadline = chainDecides ? chainDeadline : stageDeadline;
                _ = chainDecides
                    ? await RoundAsync(context, input, run, i, plan.Stages.Count, deadline, plan.OnDeadline, ChainRun.ChainMarker, stagesPerStep: 1)
                    : await RoundAsync(context, input, run, i, i + 1, deadline, stage.OnDeadline, stage.Name, stagesPerStep: 1);
            }
        }

        var result = run.Result();
        await context.Entities.SignalEntityAsync(
            new EntityInstanceId(GlobalCountersEntity.Name, GlobalCountersEntity.Key), nameof(GlobalCountersEntity.Add), run.CounterDelta());
        foreach (var (key, updates) in run.SourceUpdates())
        {
            await context.Entities.SignalEntityAsync(new EntityInstanceId(SourceShardEntity.Name, key), nameof(SourceShardEntity.Record), SourceBatch.From(updates));
        }
        return result;
    }

    /// <summary>
    /// One round: every slice with packets left runs stages <paramref name="first"/> .. + <paramref name="stagesPerStep"/> − 1
    /// (all up to <paramref name="end"/> when fused) in its shard, in parallel, raced against <paramref name="deadline"/>.
    /// A slice whose step is not back (or came back late) by then gets <paramref name="policy"/> for stages up to <paramref name="end"/>.
    /// </summary>
    /// <returns>True when some slice missed.</returns>
    private static async Task<bool> RoundAsync(
        TaskOrchestrationContext context, ChainBatch batch, BatchRun run, int first, int end, DateTime? deadline, DeadlinePolicy policy, string by, int? stagesPerStep = null)
    {
        int count = stagesPerStep ?? end - first;
        var calls = new List<(int Slice, Task<ShardStepResult> Step)>();
        for (int s = 0; s < batch.Slices.Count; s++)
        {
            if (!run.HasPending(s))
            {
                continue;
            }
            var shard = new EntityInstanceId(FlowShardEntity.Name, FlowShards.EntityKey(batch.ChainName, batch.Slices[s].Shard));
            calls.Add((s, context.Entities.CallEntityAsync<ShardStepResult>(shard, nameof(FlowShardEntity.Process), run.Step(s, first, count, deadline))));
        }
        if (calls.Count == 0)
        {
            return false;
        }
        var all = Task.WhenAll(calls.Select(c => c.Step));
        if (deadline is not null)
        {
            using var cancelTimer = new CancellationTokenSource();
            var timer = context.CreateTimer(deadline.Value, cancelTimer.Token);
            if (await Task.WhenAny(all, timer) == all)
            {
                cancelTimer.Cancel();
            }
        }
        else
        {
            await all;
        }
        bool missed = false;
        foreach (var (slice, step) in calls)
        {
            // A step's failure (bad slice, unknown stage) fails the batch, naming the shard.
            if (step.IsCompleted && step.Result is { Late: false } result)
            {
                run.Finished(slice, first, result);
            }
            else
            {
                missed = true;
                run.Missed(slice, first, end, policy, by);
            }
        }
        return missed;
    }

    private static void Validate(ChainBatch batch)
    {
        if (batch is null || batch.Slices is null || batch.Plan is null || string.IsNullOrEmpty(batch.Blob))
        {
            throw new ArgumentException("a batch needs a blob, its slices and a plan", nameof(batch));
        }
        if (batch.ShardCount is < 1 or > FlowShards.MaxShards || batch.SourceShardCount is < 1 or > FlowShards.MaxShards)
        {
            throw new ArgumentException($"batch p{batch.Partition} s{batch.FirstSequenceNumber}: shard counts {batch.ShardCount}/{batch.SourceShardCount} out of range 1..{FlowShards.MaxShards}", nameof(batch));
        }
        if (batch.Slices.Any(s => s.Shard < 0 || s.Shard >= batch.ShardCount || s.Packets < 1))
        {
            throw new ArgumentException($"batch p{batch.Partition} s{batch.FirstSequenceNumber}: a slice names a shard outside 0..{batch.ShardCount - 1} or holds no packet", nameof(batch));
        }
    }
}
