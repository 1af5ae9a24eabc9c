namespace AzNf.NetworkFunctions.Chain;

/// <summary>What the durable path does with a stage (or the chain) that missed its deadline.</summary>
public enum DeadlinePolicy : byte
{
    /// <summary>Forward the packets the stage had not decided, marked as decided by the deadline.</summary>
    FailOpen = 0,

    /// <summary>Drop the packets the stage had not decided.</summary>
    FailClosed = 1,

    /// <summary>Carry on as if the stage had forwarded them, leaving its state as it was.</summary>
    Skip = 2,
}
