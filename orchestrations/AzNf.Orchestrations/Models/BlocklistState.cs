namespace AzNf.Orchestrations.Models;

/// <summary>The <c>blocklist</c> entity's state: blocked addresses with their expiry, versioned.</summary>
public sealed class BlocklistState
{
    /// <summary>Bumped on every change; chains are rebuilt when it moves.</summary>
    public long Version { get; set; }

    /// <summary>Address (as text) → when its block ends (UTC).</summary>
    public Dictionary<string, DateTime> Entries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the pending Prune self-signal fires; null when none is pending.</summary>
    public DateTime? PruneDueUtc { get; set; }
}
