namespace AzNf.Orchestrations.Models;

/// <summary>
/// The <c>flow</c> entity's state: the flow's NF state as a <see cref="AzNf.NetworkFunctions.Chain.FlowSnapshot"/>,
/// versioned by the last event sequence number applied.
/// </summary>
public sealed class FlowEntityState
{
    /// <summary>Last event sequence number applied; −1 before any.</summary>
    public long Version { get; set; } = -1;

    public byte[]? Snapshot { get; set; }

    /// <summary>The flow's second key in a flow shard (a NAT's translated reply tuple), or null.</summary>
    public string? Alias { get; set; }

    /// <summary>Applies ignored because their version was not newer (duplicates, stale writes).</summary>
    public long IgnoredApplies { get; set; }

    /// <summary>When the last Apply landed (entity clock, UTC).</summary>
    public DateTime LastAppliedUtc { get; set; }

    public double IdleTimeoutSeconds { get; set; }

    /// <summary>When the pending Expire self-signal fires; null when none is pending.</summary>
    public DateTime? ExpiryDueUtc { get; set; }
}
