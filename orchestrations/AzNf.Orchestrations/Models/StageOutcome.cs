using System.Text.Json.Serialization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Models;

/// <summary>
/// What one stage did with a unit. In fused mode the steps run as one, so every stage reports
/// the whole step's <see cref="ElapsedMs"/>. <see cref="AppliedPolicy"/> is set when the stage's
/// (or the chain's) deadline decided its packets. <see cref="Counters"/> are the NF's own counters
/// that the unit added (its <see cref="AzNf.NetworkFunctions.INetworkFunction.ReportCounters"/>
/// after the step minus before), so the durable report carries what the embedded one does.
/// </summary>
public sealed record StageOutcome(
    string Stage,
    long PacketsIn,
    long PacketsOut,
    long Drops,
    double ElapsedMs,
    bool DeadlineMissed,
    [property: JsonConverter(typeof(JsonStringEnumConverter<DeadlinePolicy>))] DeadlinePolicy? AppliedPolicy,
    IReadOnlyDictionary<string, long>? Counters = null);
