namespace AzNf.Orchestrations.Models;

/// <summary>The <c>source</c> entity's state: one source address's activity in the current window.</summary>
public sealed class SourceEntityState
{
    public DateTime WindowStartUtc { get; set; }

    public long Alerts { get; set; }

    public long Drops { get; set; }

    public long NewFlows { get; set; }

    /// <summary>Distinct destination ports seen in the window (capped at the scan threshold).</summary>
    public HashSet<ushort> DestinationPorts { get; set; } = [];

    /// <summary>When the source was last reported to the blocklist; null if never.</summary>
    public DateTime? BlockedUntilUtc { get; set; }

    /// <summary>When the pending Expire self-signal fires; null when none is pending.</summary>
    public DateTime? ExpiryDueUtc { get; set; }
}
