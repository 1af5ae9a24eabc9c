namespace AzNf.NetworkFunctions.Chain;

/// <summary>A flow snapshot that cannot be read; the message names the flow and what is wrong.</summary>
public sealed class FlowSnapshotException(string flow, string problem, Exception? inner = null)
    : Exception($"flow {flow}: bad state snapshot: {problem}", inner)
{
    public string Flow { get; } = flow;
}
