using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Orchestrators;

/// <summary>
/// The decisions of one <c>NfChain</c> run, kept apart from the orchestrator so they read (and
/// test) as plain code: which packets are still in the chain, each packet's verdict, the flow's
/// state as the last step that counted left it, and what each stage did. Deterministic.
/// </summary>
/// <remarks>
/// State on a miss: a late step's output is never used, so the flow keeps the state of the steps
/// that finished. Staged: the stages before the late one keep their changes, the late stage's are
/// lost (its state is as before the unit), and the stages after it run on from that state.
/// Fused: the one step is all or nothing, so a miss leaves the flow as it was before the unit.
/// </remarks>
internal sealed class ChainRun
{
    /// <summary>The stage name that reports a chain deadline (fused mode, or the chain's own in staged mode).</summary>
    public const string ChainMarker = "chain";

    private readonly ChainWorkUnit _unit;
    private readonly PacketVerdict[] _verdicts;
    private readonly List<int> _pending;
    private readonly StageOutcome?[] _stages;
    private readonly List<ReportAlert> _alerts = [];
    private readonly List<ReportFlow> _finished = [];
    private readonly Dictionary<string, long> _misses = new(StringComparer.Ordinal);

    public ChainRun(ChainWorkUnit unit, byte[]? snapshot)
    {
        _unit = unit;
        Snapshot = snapshot;
        _verdicts = unit.Packets.Select(p => new PacketVerdict(p.SequenceNumber, p.PositionInEvent, true, null, null)).ToArray();
        _pending = Enumerable.Range(0, unit.Packets.Count).ToList();
        _stages = new StageOutcome?[unit.Plan.Stages.Count];
    }

    /// <summary>The flow's state as the steps that counted left it.</summary>
    public byte[]? Snapshot { get; private set; }

    public double IdleTimeoutSeconds { get; private set; }

    /// <summary>True when no packet is left in the chain (all dropped).</summary>
    public bool Done => _pending.Count == 0;

    public bool ChainDeadlineMissed { get; private set; }

    private string? Originator { get; set; }

    private ushort ResponderPort { get; set; }

    private bool NewFlow { get; set; }

    /// <summary>The input of a step over stages <paramref name="first"/> .. + <paramref name="count"/> − 1, on the packets still in the chain.</summary>
    public ChainStepInput StepInput(int first, int count, DateTime? deadlineUtc) => new()
    {
        ChainName = _unit.ChainName,
        FlowKey = _unit.FlowKey,
        RuleSetVersion = _unit.RuleSetVersion,
        BlocklistVersion = _unit.BlocklistVersion,
        FirstStage = first,
        StageCount = count,
        StageNames = _unit.Plan.Stages.Skip(first).Take(count).Select(s => s.Name).ToList(),
        Snapshot = Snapshot,
        Packets = _pending.Select(i => _unit.Packets[i]).ToList(),
        DeadlineUtc = deadlineUtc,
    };

    /// <summary>A step that finished in time: its drops are final, its state is the flow's.</summary>
    public void Finished(int first, ChainStepOutput output)
    {
        if (output.Verdicts.Count != _pending.Count)
        {
            throw new InvalidOperationException($"flow {_unit.FlowKey}: a step returned {output.Verdicts.Count} verdicts for {_pending.Count} packets");
        }
        var still = new List<int>(_pending.Count);
        for (int j = 0; j < _pending.Count; j++)
        {
            int packet = _pending[j];
            var verdict = output.Verdicts[j];
            if (verdict.Dropped)
            {
                _verdicts[packet] = _verdicts[packet] with { Forwarded = false, Reason = verdict.Reason };
            }
            else
            {
                still.Add(packet);
            }
        }
        _pending.Clear();
        _pending.AddRange(still);
        for (int s = 0; s < output.Stages.Count; s++)
        {
            _stages[first + s] = output.Stages[s];
        }
        _alerts.AddRange(output.Alerts);
        _finished.AddRange(output.FinishedFlows);
        Snapshot = output.Snapshot;
        IdleTimeoutSeconds = output.IdleTimeoutSeconds;
        Originator ??= output.Originator;
        if (first == 0)
        {
            NewFlow = output.NewFlow;
            ResponderPort = output.ResponderPort;
        }
    }

    /// <summary>Stages <paramref name="first"/> .. <paramref name="end"/> − 1 missed a deadline (<paramref name="by"/>: the stage, or <see cref="ChainMarker"/>): <paramref name="policy"/> decides.</summary>
    public void Missed(int first, int end, DeadlinePolicy policy, string by)
    {
        ChainDeadlineMissed |= by == ChainMarker;
        _misses[by] = _misses.GetValueOrDefault(by) + 1;
        int packetsIn = _pending.Count;
        for (int s = first; s < end; s++)
        {
            bool closed = policy == DeadlinePolicy.FailClosed;
            _stages[s] = new StageOutcome(_unit.Plan.Stages[s].Name, s == first ? packetsIn : 0, closed ? 0 : packetsIn, s == first && closed ? packetsIn : 0, 0, true, policy);
        }
        switch (policy)
        {
            case DeadlinePolicy.FailClosed:
                foreach (int packet in _pending)
                {
                    _verdicts[packet] = _verdicts[packet] with { Forwarded = false, Reason = "deadline:" + by, MarkedBy = by };
                }
                _pending.Clear();
                break;
            case DeadlinePolicy.FailOpen:
                foreach (int packet in _pending)
                {
                    _verdicts[packet] = _verdicts[packet] with { MarkedBy = _verdicts[packet].MarkedBy ?? by };
                }
                break;
        }
    }

    /// <summary>A stage no packet reached (all dropped before it): it did nothing.</summary>
    public void NotReached(int stage) => _stages[stage] = new StageOutcome(_unit.Plan.Stages[stage].Name, 0, 0, 0, 0, false, null);

    public ChainWorkResult Result()
    {
        long dropped = _verdicts.Count(v => !v.Forwarded);
        return new ChainWorkResult
        {
            ChainName = _unit.ChainName,
            FlowKey = _unit.FlowKey,
            LastSequenceNumber = _unit.LastSequenceNumber,
            Verdicts = _verdicts,
            Alerts = _alerts,
            Stages = _stages.Select((s, i) => s ?? new StageOutcome(_unit.Plan.Stages[i].Name, 0, 0, 0, 0, false, null)).ToList(),
            ChainDeadlineMissed = ChainDeadlineMissed,
            FinishedFlows = _finished,
            Packets = _unit.Packets.Count,
            Bytes = _unit.Packets.Sum(p => (long)p.WireLength),
            Forwarded = _verdicts.Length - dropped,
            Dropped = dropped,
        };
    }

    /// <summary>What this unit adds to its originator's source entity; null when no packet named one.</summary>
    public (string Source, SourceDelta Delta)? SourceDelta()
    {
        if (Originator is null)
        {
            return null;
        }
        long drops = _verdicts.Count(v => !v.Forwarded);
        return (Originator, new SourceDelta(_alerts.Count, drops, NewFlow ? 1 : 0, NewFlow ? [ResponderPort] : []));
    }

    public CounterDelta CounterDelta()
    {
        var result = Result();
        return new CounterDelta(1, 0, result.Packets, result.Bytes, _alerts.Count, result.Dropped, _misses);
    }

    public static ChainWorkResult Duplicate(ChainWorkUnit unit) => new()
    {
        ChainName = unit.ChainName,
        FlowKey = unit.FlowKey,
        LastSequenceNumber = unit.LastSequenceNumber,
        Duplicate = true,
    };
}
