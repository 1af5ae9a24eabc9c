namespace AzNf.Orchestrations.Models;

/// <summary>The <c>counters</c> entity's state: totals over every unit.</summary>
public sealed class GlobalCountersState
{
    public long Units { get; set; }

    public long Duplicates { get; set; }

    public long Packets { get; set; }

    public long Bytes { get; set; }

    public long Alerts { get; set; }

    public long Drops { get; set; }

    public Dictionary<string, long> DeadlineMissesByStage { get; set; } = new(StringComparer.Ordinal);
}
