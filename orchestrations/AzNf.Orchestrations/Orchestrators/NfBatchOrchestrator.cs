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

    private static readonly TimeSpan InitialCatchUpWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxCatchUpWait = TimeSpan.FromSeconds(8);
    private const int MaxCatchUpAttempts = 100;

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
    /// A shard that answers it is behind (it has not stored an earlier step yet) is asked again after
    /// a durable timer, with backoff, until the deadline or the batch's catch-up time runs out.
    /// </summary>
    /// <returns>True when some slice missed.</returns>
    private static async Task<bool> RoundAsync(
        TaskOrchestrationContext context, ChainBatch batch, BatchRun run, int first, int end, DateTime? deadline, DeadlinePolicy policy, string by, int? stagesPerStep = null)
    {
        int count = stagesPerStep ?? end - first;
        var asking = Enumerable.Range(0, batch.Slices.Count).Where(run.HasPending).ToList();
        if (asking.Count == 0)
        {
            return false;
        }
        bool missed = false;
        var giveUp = context.CurrentUtcDateTime.AddMilliseconds(batch.CatchUpMs);
        var wait = InitialCatchUpWait;
        string? waiting = null;
        int waitingShard = -1;
        // Bounded twice: by the catch-up time, and by attempts (a deadline-free history stays small).
        for (int attempt = 0; attempt < MaxCatchUpAttempts; attempt++)
        {
            var calls = asking
                .Select(s => (Slice: s, Step: context.Entities.CallEntityAsync<ShardStepResult>(
                    new EntityInstanceId(FlowShardEntity.Name, FlowShards.EntityKey(batch.ChainName, batch.Slices[s].Shard)),
                    nameof(FlowShardEntity.Process),
                    run.Step(s, first, count, deadline))))
                .ToList();
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
            var behind = new List<(int Slice, string Behind)>();
            foreach (var (slice, step) in calls)
            {
                // A step's failure (bad slice, unknown stage) fails the batch, naming the shard.
                if (step.IsCompleted && step.Result is { Behind: { } notYet })
                {
                    behind.Add((slice, notYet));
                }
                else if (step.IsCompleted && step.Result is { Late: false } result)
                {
                    run.Finished(slice, first, result);
                }
                else
                {
                    missed = true;
                    run.Missed(slice, first, end, policy, by);
                }
            }
            if (behind.Count == 0)
            {
                return missed;
            }
            var now = context.CurrentUtcDateTime;
            if (deadline is not null && now >= deadline)
            {
                foreach (var (slice, _) in behind)
                {
                    run.Missed(slice, first, end, policy, by);
                }
                return true;
            }
            (waitingShard, waiting) = (batch.Slices[behind[0].Slice].Shard, behind[0].Behind);
            if (now >= giveUp)
            {
                break;
            }
            var next = now + wait;
            await context.CreateTimer(deadline is { } d && d < next ? d : next, CancellationToken.None);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxCatchUpWait.Ticks));
            asking = [.. behind.Select(b => b.Slice)];
        }
        throw new InvalidOperationException(
            $"flow shard {waitingShard} of chain '{batch.ChainName}' has not stored {waiting} within {batch.CatchUpMs / 1000:0.#} s: the request that stores it never came back");
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
