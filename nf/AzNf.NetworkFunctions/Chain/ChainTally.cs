using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// What a report adds up from one chain partition, or from one durable work unit (the
/// difference a unit made): packet counts, unparsed frames and drops by reason, each stage's
/// counters, the flows that ended and the alerts raised. Plain data, so it crosses an
/// activity boundary as JSON and sums the same way whichever runtime produced it.
/// </summary>
public sealed record ChainTally
{
    public long Packets { get; init; }

    public long Bytes { get; init; }

    public long Forwarded { get; init; }

    public long Dropped { get; init; }

    public long FlowsReused { get; init; }

    public long FlowRecordsOmitted { get; init; }

    public long PeakFlows { get; init; }

    public long FlowsExpired { get; init; }

    public long FlowsEvicted { get; init; }

    /// <summary>Unparsed frames by malformed-reason name.</summary>
    public Dictionary<string, long> Unparsed { get; init; } = [];

    /// <summary>Drops by the reason the dropping stage gave.</summary>
    public Dictionary<string, long> DropReasons { get; init; } = [];

    /// <summary>One entry per chain stage, in chain order.</summary>
    public List<StageTally> Stages { get; init; } = [];

    /// <summary>Flows that ended (expired, evicted, reused or end of run).</summary>
    public List<ReportFlow> Flows { get; init; } = [];

    public List<ReportAlert> Alerts { get; init; } = [];

    /// <summary>
    /// Everything <paramref name="partition"/> has counted so far; flows and alerts from the
    /// given positions of its lists on (a pooled partition reports only what is new).
    /// </summary>
    public static ChainTally Of(ChainPartition partition, int flowsFrom = 0, int alertsFrom = 0)
    {
        ArgumentNullException.ThrowIfNull(partition);
        var unparsed = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int r = 1; r < partition.UnparsedByReason.Length; r++)
        {
            if (partition.UnparsedByReason[r] > 0)
            {
                unparsed[MalformedReasons.Name((MalformedReason)r)] = partition.UnparsedByReason[r];
            }
        }
        var stages = new List<StageTally>(partition.Stages.Count);
        for (int s = 0; s < partition.Stages.Count; s++)
        {
            ref var c = ref partition.StageCounters[s];
            stages.Add(new StageTally(c.PacketsIn, c.PacketsOut, c.Drops, partition.Stages[s].Errors, partition.NfCounters(s)));
        }
        return new ChainTally
        {
            Packets = partition.Packets,
            Bytes = partition.Bytes,
            Forwarded = partition.Forwarded,
            Dropped = partition.Dropped,
            FlowsReused = partition.FlowsReused,
            FlowRecordsOmitted = partition.FlowRecordsOmitted,
            PeakFlows = partition.Flows.Peak,
            FlowsExpired = partition.Flows.Expired,
            FlowsEvicted = partition.Flows.Evicted,
            Unparsed = unparsed,
            DropReasons = new Dictionary<string, long>(partition.DropsByReason, StringComparer.Ordinal),
            Stages = stages,
            Flows = partition.FinishedFlows.Skip(flowsFrom).Select(ReportFlow.From).ToList(),
            Alerts = partition.Alerts.Alerts.Skip(alertsFrom).Select(ReportAlert.From).ToList(),
        };
    }

    /// <summary>
    /// The counts added since <paramref name="earlier"/> (taken from the same partition). Flows
    /// and alerts are this tally's own lists: take <see cref="Of"/> with the list positions.
    /// Peak flows is a high-water mark, not a count: the later value is kept.
    /// </summary>
    public ChainTally Minus(ChainTally earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return this with
        {
            Packets = Packets - earlier.Packets,
            Bytes = Bytes - earlier.Bytes,
            Forwarded = Forwarded - earlier.Forwarded,
            Dropped = Dropped - earlier.Dropped,
            FlowsReused = FlowsReused - earlier.FlowsReused,
            FlowRecordsOmitted = FlowRecordsOmitted - earlier.FlowRecordsOmitted,
            FlowsExpired = FlowsExpired - earlier.FlowsExpired,
            FlowsEvicted = FlowsEvicted - earlier.FlowsEvicted,
            Unparsed = Subtract(Unparsed, earlier.Unparsed),
            DropReasons = Subtract(DropReasons, earlier.DropReasons),
            Stages = Stages.Select((s, i) => i < earlier.Stages.Count ? s.Minus(earlier.Stages[i]) : s).ToList(),
        };
    }

    /// <summary>The sum of <paramref name="tallies"/> of a chain with <paramref name="stageCount"/> stages.</summary>
    public static ChainTally Sum(IEnumerable<ChainTally> tallies, int stageCount)
    {
        ArgumentNullException.ThrowIfNull(tallies);
        long packets = 0, bytes = 0, forwarded = 0, dropped = 0, reused = 0, omitted = 0, peak = 0, expired = 0, evicted = 0;
        var unparsed = new Dictionary<string, long>(StringComparer.Ordinal);
        var drops = new Dictionary<string, long>(StringComparer.Ordinal);
        var stages = Enumerable.Range(0, stageCount).Select(_ => new StageTally(0, 0, 0, 0, new Dictionary<string, long>(StringComparer.Ordinal))).ToList();
        var flows = new List<ReportFlow>();
        var alerts = new List<ReportAlert>();
        foreach (var t in tallies)
        {
            packets += t.Packets;
            bytes += t.Bytes;
            forwarded += t.Forwarded;
            dropped += t.Dropped;
            reused += t.FlowsReused;
            omitted += t.FlowRecordsOmitted;
            peak += t.PeakFlows;
            expired += t.FlowsExpired;
            evicted += t.FlowsEvicted;
            AddInto(unparsed, t.Unparsed);
            AddInto(drops, t.DropReasons);
            for (int s = 0; s < Math.Min(stageCount, t.Stages.Count); s++)
            {
                stages[s] = stages[s].Plus(t.Stages[s]);
            }
            flows.AddRange(t.Flows);
            alerts.AddRange(t.Alerts);
        }
        return new ChainTally
        {
            Packets = packets,
            Bytes = bytes,
            Forwarded = forwarded,
            Dropped = dropped,
            FlowsReused = reused,
            FlowRecordsOmitted = omitted,
            PeakFlows = peak,
            FlowsExpired = expired,
            FlowsEvicted = evicted,
            Unparsed = unparsed,
            DropReasons = drops,
            Stages = stages,
            Flows = flows,
            Alerts = alerts,
        };
    }

    /// <summary>Adds each counter of <paramref name="values"/> to <paramref name="into"/>.</summary>
    public static void AddInto(Dictionary<string, long> into, IReadOnlyDictionary<string, long> values)
    {
        foreach (var (name, value) in values)
        {
            into[name] = into.GetValueOrDefault(name) + value;
        }
    }

    /// <summary>The counters that changed from <paramref name="earlier"/> to <paramref name="later"/>, by how much.</summary>
    public static Dictionary<string, long> Subtract(IReadOnlyDictionary<string, long> later, IReadOnlyDictionary<string, long> earlier)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in later)
        {
            long difference = value - earlier.GetValueOrDefault(name);
            if (difference != 0)
            {
                result[name] = difference;
            }
        }
        return result;
    }
}

/// <summary>One stage's packets in and out, drops, errors and its own counters.</summary>
public sealed record StageTally(long PacketsIn, long PacketsOut, long Drops, long Errors, Dictionary<string, long> Counters)
{
    public StageTally Plus(StageTally other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var counters = new Dictionary<string, long>(Counters, StringComparer.Ordinal);
        ChainTally.AddInto(counters, other.Counters);
        return new StageTally(PacketsIn + other.PacketsIn, PacketsOut + other.PacketsOut, Drops + other.Drops, Errors + other.Errors, counters);
    }

    public StageTally Minus(StageTally earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        return new StageTally(PacketsIn - earlier.PacketsIn, PacketsOut - earlier.PacketsOut, Drops - earlier.Drops, Errors - earlier.Errors, ChainTally.Subtract(Counters, earlier.Counters));
    }
}
