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

/// <summary>How the durable path runs a chain's stages: all in one step, or one step per stage.</summary>
public enum ChainMode : byte
{
    Fused = 0,
    Staged = 1,
}

/// <summary>What one durable unit of work holds.</summary>
public enum ChainGranularity : byte
{
    /// <summary>One packet per unit (kept to measure how costly it is).</summary>
    Packet = 0,

    /// <summary>One unit per flow: the handler holds a flow's packets across batches until the flow ends.</summary>
    Flow = 1,

    /// <summary>One unit per flow per partition batch: the flow's packets in that batch (the default).</summary>
    Flowlet = 2,
}

/// <summary>
/// A stage's deadline and what happens when it is missed, from the chain file. Only the durable
/// path reads it; the embedded engine runs every stage to completion.
/// </summary>
/// <param name="Stage">The stage name.</param>
/// <param name="Deadline">How long the stage may take for one unit of work; null = no deadline.</param>
/// <param name="OnDeadline">The policy when <paramref name="Deadline"/> is missed.</param>
public sealed record StageQos(string Stage, TimeSpan? Deadline, DeadlinePolicy OnDeadline);

/// <summary>The chain file's spellings of <see cref="DeadlinePolicy"/>, <see cref="ChainMode"/> and <see cref="ChainGranularity"/>.</summary>
public static class ChainQosNames
{
    public static string Name(DeadlinePolicy policy) => policy switch
    {
        DeadlinePolicy.FailOpen => "fail-open",
        DeadlinePolicy.FailClosed => "fail-closed",
        _ => "skip",
    };

    public static string Name(ChainMode mode) => mode == ChainMode.Fused ? "fused" : "staged";

    public static string Name(ChainGranularity granularity) => granularity switch
    {
        ChainGranularity.Packet => "packet",
        ChainGranularity.Flow => "flow",
        _ => "flowlet",
    };

    public static bool TryParse(string text, out DeadlinePolicy policy)
    {
        (bool ok, policy) = text switch
        {
            "fail-open" => (true, DeadlinePolicy.FailOpen),
            "fail-closed" => (true, DeadlinePolicy.FailClosed),
            "skip" => (true, DeadlinePolicy.Skip),
            _ => (false, DeadlinePolicy.FailOpen),
        };
        return ok;
    }

    public static bool TryParse(string text, out ChainMode mode)
    {
        (bool ok, mode) = text switch
        {
            "fused" => (true, ChainMode.Fused),
            "staged" => (true, ChainMode.Staged),
            _ => (false, ChainMode.Fused),
        };
        return ok;
    }

    public static bool TryParse(string text, out ChainGranularity granularity)
    {
        (bool ok, granularity) = text switch
        {
            "packet" => (true, ChainGranularity.Packet),
            "flow" => (true, ChainGranularity.Flow),
            "flowlet" => (true, ChainGranularity.Flowlet),
            _ => (false, ChainGranularity.Flowlet),
        };
        return ok;
    }
}
