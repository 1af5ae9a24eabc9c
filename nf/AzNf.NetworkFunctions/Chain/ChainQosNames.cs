namespace AzNf.NetworkFunctions.Chain;

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
        ChainGranularity.Batch => "batch",
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
            "batch" => (true, ChainGranularity.Batch),
            _ => (false, ChainGranularity.Batch),
        };
        return ok;
    }
}
