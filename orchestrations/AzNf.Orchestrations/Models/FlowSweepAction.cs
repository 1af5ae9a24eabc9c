namespace AzNf.Orchestrations.Models;

/// <summary>What the idle-flow sweep does to one flow entity.</summary>
public enum FlowSweepAction
{
    /// <summary>Nothing: the flow is live with its expiry on time, or a tombstone still inside its retention.</summary>
    None,

    /// <summary>Signal <c>Expire</c>: the flow is idle and its expiry self-signal is missing or overdue.</summary>
    Expire,

    /// <summary>Signal <c>Delete</c>: a tombstone older than the retention.</summary>
    Delete,
}
