namespace AzNf.Orchestrations.Models;

/// <summary>
/// The input of the <c>RunChain</c> and <c>RunStage</c> activities: stages
/// <see cref="FirstStage"/> .. <see cref="FirstStage"/> + <see cref="StageCount"/> − 1 over
/// <see cref="Packets"/>, starting from <see cref="Snapshot"/> (null: a new flow).
/// </summary>
public sealed record ChainStepInput
{
    public required string ChainName { get; init; }

    public required string FlowKey { get; init; }

    public required long RuleSetVersion { get; init; }

    public required long BlocklistVersion { get; init; }

    public required int FirstStage { get; init; }

    public required int StageCount { get; init; }

    /// <summary>
    /// The names the unit's plan gives stages <see cref="FirstStage"/> onwards; the step refuses to
    /// run if the chain it gets names them otherwise (the rules changed the stages under the unit).
    /// Null: not checked.
    /// </summary>
    public IReadOnlyList<string>? StageNames { get; init; }

    /// <summary>The flow's state (a <see cref="AzNf.NetworkFunctions.Chain.FlowSnapshot"/>) before these stages; null for a new flow.</summary>
    public byte[]? Snapshot { get; init; }

    public required IReadOnlyList<WorkPacket> Packets { get; init; }

    /// <summary>
    /// When the orchestrator stops waiting (its durable timer). The step checks it between packets
    /// and returns <see cref="ChainStepOutput.Late"/> instead of running on, because an open
    /// activity keeps the orchestration Running (DESIGN.md, Constraints). Null: no deadline.
    /// </summary>
    public DateTime? DeadlineUtc { get; init; }
}
