namespace AzNf.Orchestrations.Models;

/// <summary>The <c>chainswitch</c> entity's state: whether a chain should take input, and since when.</summary>
public sealed class ChainSwitchState
{
    public bool Running { get; set; }

    /// <summary>Bumped on every change, so an instance can tell a stop-and-start from no change.</summary>
    public long Version { get; set; }

    public DateTime ChangedUtc { get; set; }

    /// <summary>What the last change said about itself (who asked, why).</summary>
    public string? Reason { get; set; }
}
