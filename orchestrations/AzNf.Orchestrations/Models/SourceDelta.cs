namespace AzNf.Orchestrations.Models;

/// <summary>The input of the source entity's <c>Record</c>: what one unit added for one source address.</summary>
public sealed record SourceDelta(long Alerts, long Drops, long NewFlows, IReadOnlyList<ushort> DestinationPorts);
