using System.Text.Json.Serialization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Models;

/// <summary>
/// What one stage did with a unit. In fused mode the steps run as one, so every stage reports
/// the whole step's <see cref="ElapsedMs"/>. <see cref="AppliedPolicy"/> is set when the stage's
/// (or the chain's) deadline decided its packets.
/// </summary>
public sealed record StageOutcome(
    string Stage,
    long PacketsIn,
    long PacketsOut,
    long Drops,
    double ElapsedMs,
    bool DeadlineMissed,
    [property: JsonConverter(typeof(JsonStringEnumConverter<DeadlinePolicy>))] DeadlinePolicy? AppliedPolicy);
