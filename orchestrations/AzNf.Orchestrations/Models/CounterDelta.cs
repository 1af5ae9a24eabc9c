namespace AzNf.Orchestrations.Models;

/// <summary>The input of the global counters entity's <c>Add</c>: one unit's totals, merged.</summary>
public sealed record CounterDelta(
    long Units,
    long Duplicates,
    long Packets,
    long Bytes,
    long Alerts,
    long Drops,
    IReadOnlyDictionary<string, long> DeadlineMissesByStage);
