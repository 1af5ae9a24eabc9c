namespace AzNf.Orchestrations.Models;

/// <summary>The input of the flow entity's <c>Apply</c>: the new snapshot at <paramref name="Version"/> (the unit's last sequence number).</summary>
public sealed record FlowUpdate(long Version, byte[]? Snapshot, double IdleTimeoutSeconds);
