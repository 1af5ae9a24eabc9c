using AzNf.NetworkFunctions.Chain;
namespace AzNf.Orchestrations.Models;

/// <summary>
/// The output of the <c>NfChain</c> orchestration (also its custom status once decided, so that a
/// verdict reached at a deadline is readable while a late step still keeps the instance running).
/// </summary>
public sealed record ChainWorkResult
{
    public required string ChainName { get; init; }

    public required string FlowKey { get; init; }

    public required long LastSequenceNumber { get; init; }

    /// <summary>True when the flow entity had already applied this unit: nothing ran, nothing changed.</summary>
    public bool Duplicate { get; init; }

    /// <summary>One verdict per packet of the unit, in unit order (empty for a duplicate).</summary>
    public IReadOnlyList<PacketVerdict> Verdicts { get; init; } = [];

    public IReadOnlyList<ReportAlert> Alerts { get; init; } = [];

    /// <summary>Per stage: packets in/out, drops, time, and whether its deadline was missed.</summary>
    public IReadOnlyList<StageOutcome> Stages { get; init; } = [];

    public bool ChainDeadlineMissed { get; init; }

    /// <summary>Flows that ended inside this unit (a 5-tuple reused, an idle timeout passed in capture time).</summary>
    public IReadOnlyList<ReportFlow> FinishedFlows { get; init; } = [];

    public long Packets { get; init; }

    public long Bytes { get; init; }

    public long Forwarded { get; init; }

    public long Dropped { get; init; }
}
