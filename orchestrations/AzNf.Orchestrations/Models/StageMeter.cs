using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Models;

/// <summary>
/// What stages <c>first</c> .. <c>end</c> − 1 of a pooled partition do during one step: their
/// packet counts and NF counters are read before the step, and <see cref="Outcomes"/> gives the
/// difference after it, one <see cref="StageOutcome"/> per stage.
/// </summary>
internal sealed class StageMeter
{
    private readonly ChainPartition _partition;
    private readonly int _first;
    private readonly int _end;
    private readonly StageCounters[] _counters;
    private readonly List<Dictionary<string, long>> _nfCounters;

    private StageMeter(ChainPartition partition, int first, int end)
    {
        _partition = partition;
        _first = first;
        _end = end;
        _counters = (StageCounters[])partition.StageCounters.Clone();
        _nfCounters = Enumerable.Range(first, end - first).Select(partition.NfCounters).ToList();
    }

    /// <summary>Reads the stages' counts now, before the step runs.</summary>
    public static StageMeter Start(ChainPartition partition, int first, int end) => new(partition, first, end);

    /// <summary>What each stage did since <see cref="Start"/>; every stage reports the step's <paramref name="elapsedMs"/>.</summary>
    public List<StageOutcome> Outcomes(ChainDefinition chain, double elapsedMs)
    {
        var stages = new List<StageOutcome>(_end - _first);
        for (int s = _first; s < _end; s++)
        {
            var now = _partition.StageCounters[s];
            var before = _counters[s];
            stages.Add(new StageOutcome(
                chain.Stages[s].Name,
                now.PacketsIn - before.PacketsIn, now.PacketsOut - before.PacketsOut, now.Drops - before.Drops,
                elapsedMs, DeadlineMissed: false, AppliedPolicy: null,
                ChainTally.Subtract(_partition.NfCounters(s), _nfCounters[s - _first])));
        }
        return stages;
    }
}
