using AzNf.NetworkFunctions.Chain;
namespace AzNf.Orchestrations.Models;

/// <summary>What a <c>RunChain</c>/<c>RunStage</c> step did.</summary>
public sealed record ChainStepOutput
{
    /// <summary>True when the step passed its deadline and stopped: nothing else here counts.</summary>
    public bool Late { get; init; }

    /// <summary>One per input packet, in input order.</summary>
    public IReadOnlyList<StepVerdict> Verdicts { get; init; } = [];

    public IReadOnlyList<ReportAlert> Alerts { get; init; } = [];

    /// <summary>One per stage run, in stage order.</summary>
    public IReadOnlyList<StageOutcome> Stages { get; init; } = [];

    public double ElapsedMs { get; init; }

    /// <summary>The flow's state after the step; null when the step left no live flow.</summary>
    public byte[]? Snapshot { get; init; }

    /// <summary>The idle timeout of the flow's class (chain flow-table settings), for the entity's expiry.</summary>
    public double IdleTimeoutSeconds { get; init; }

    public IReadOnlyList<ReportFlow> FinishedFlows { get; init; } = [];

    /// <summary>True when the step started a connection (no earlier state, or a 5-tuple reused).</summary>
    public bool NewFlow { get; init; }

    /// <summary>The address that opened the flow (endpoint A); null when no packet parsed.</summary>
    public string? Originator { get; init; }

    /// <summary>The port the originator connected to (endpoint B's port).</summary>
    public ushort ResponderPort { get; init; }

    public long Bytes { get; init; }
}
