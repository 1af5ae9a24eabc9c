using System.Text.Json.Serialization;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Models;

/// <summary>One stage of a <see cref="ChainPlan"/>: its name, NF type, deadline (null = none) and policy on a miss.</summary>
public sealed record StagePlan(
    string Name,
    string Kind,
    double? DeadlineMs,
    [property: JsonConverter(typeof(JsonStringEnumConverter<DeadlinePolicy>))] DeadlinePolicy OnDeadline);
