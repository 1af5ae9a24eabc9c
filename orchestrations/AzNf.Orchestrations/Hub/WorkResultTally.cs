using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// Turns what an NfChain orchestration returned into the tally a report adds up, so the durable
/// run's report is built the same way as the embedded one's.
/// </summary>
public static class WorkResultTally
{
    /// <summary>Stage counter naming the deadline misses a stage had on the durable path.</summary>
    public const string DeadlineMissesCounter = "deadline:misses";

    public static ChainTally From(ChainWorkResult result, int stageCount)
    {
        ArgumentNullException.ThrowIfNull(result);
        var drops = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var verdict in result.Verdicts)
        {
            if (!verdict.Forwarded)
            {
                string reason = verdict.Reason ?? "unknown";
                drops[reason] = drops.GetValueOrDefault(reason) + 1;
            }
        }
        return Tally(result.Packets, result.Bytes, result.Forwarded, result.Dropped, drops, result.Stages, stageCount, result.FinishedFlows, result.Alerts);
    }

    /// <summary>The tally of a batch unit: its totals as the shards counted them.</summary>
    public static ChainTally From(ChainBatchResult result, int stageCount)
    {
        ArgumentNullException.ThrowIfNull(result);
        var drops = new Dictionary<string, long>(result.DropReasons, StringComparer.Ordinal);
        return Tally(result.Packets, result.Bytes, result.Forwarded, result.Dropped, drops, result.Stages, stageCount, result.FinishedFlows, result.Alerts);
    }

    /// <summary>One unit's totals, stage outcomes, flows and alerts as the report adds them up.</summary>
    private static ChainTally Tally(
        long packets, long bytes, long forwarded, long dropped, Dictionary<string, long> drops,
        IReadOnlyList<StageOutcome> stages, int stageCount, IReadOnlyList<ReportFlow> finished, IReadOnlyList<ReportAlert> alerts) => new()
    {
        Packets = packets,
        Bytes = bytes,
        Forwarded = forwarded,
        Dropped = dropped,
        FlowsReused = finished.Count(f => f.End == ReportFlow.EndName(FlowEndReason.Reused)),
        FlowsExpired = finished.Count(f => f.End == ReportFlow.EndName(FlowEndReason.Expired)),
        DropReasons = drops,
        Stages = StageTallies(stages, stageCount),
        Flows = [.. finished],
        Alerts = [.. alerts],
    };

    /// <summary>Per stage, what a unit's stage outcomes add to the report (a missed deadline counts once).</summary>
    private static List<StageTally> StageTallies(IReadOnlyList<StageOutcome> outcomes, int stageCount)
    {
        var stages = new List<StageTally>(stageCount);
        for (int s = 0; s < stageCount; s++)
        {
            var counters = new Dictionary<string, long>(StringComparer.Ordinal);
            if (s < outcomes.Count)
            {
                var stage = outcomes[s];
                if (stage.Counters is { } nf)
                {
                    ChainTally.AddInto(counters, nf);
                }
                if (stage.DeadlineMissed)
                {
                    counters[DeadlineMissesCounter] = counters.GetValueOrDefault(DeadlineMissesCounter) + 1;
                }
                stages.Add(new StageTally(stage.PacketsIn, stage.PacketsOut, stage.Drops, 0, counters));
            }
            else
            {
                stages.Add(new StageTally(0, 0, 0, 0, counters));
            }
        }
        return stages;
    }

    /// <summary>A flow still held by its entity at the end of a run, as the report lists it.</summary>
    public static ReportFlow EndOfRun(string flowKey, byte[] snapshot, string? translated = null)
    {
        var state = FlowSnapshot.Read(snapshot, flowKey);
        return ReportFlow.From(FlowRecord.From(ref state, FlowEndReason.EndOfRun, translated: translated));
    }
}
