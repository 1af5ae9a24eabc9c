namespace AzNf.NetworkFunctions;

/// <summary>
/// A network function configured once from its chain stage (rules parsed, automata built) and
/// shared read-only by every partition, which each get their own <see cref="INetworkFunction"/>.
/// </summary>
public interface INetworkFunctionDefinition
{
    /// <summary>The stage name from the chain file.</summary>
    string Name { get; }

    /// <summary>The NF type: <c>counter</c>, <c>firewall</c>, <c>ids</c>.</summary>
    string Kind { get; }

    /// <summary>A fresh per-partition instance with its own partition-local shared state.</summary>
    INetworkFunction CreateInstance(PartitionResources resources);
}

/// <summary>What the engine hands each partition's NF instances.</summary>
public sealed class PartitionResources(int partition, AlertLog alerts)
{
    public int Partition { get; } = partition;
    public AlertLog Alerts { get; } = alerts;
}

/// <summary>
/// A network function element (Click-like): one packet in, a verdict out. Per-flow state arrives
/// as a <see cref="FlowState"/>; shared state (many flows) is the instance's own and is merged
/// across partitions by <see cref="ReportCounters"/>. Never throws on packet data: bad input is
/// a verdict or a counted error.
/// </summary>
public interface INetworkFunction
{
    /// <summary>
    /// Handles one packet. For an unparsed packet (<see cref="PacketContext.IsParsed"/> false)
    /// <paramref name="flow"/> is a scratch state that is thrown away afterwards.
    /// </summary>
    Verdict Process(ref PacketContext packet, ref FlowState flow);

    /// <summary>Called once when a flow leaves the table (closed, expired, evicted, end of run).</summary>
    void OnFlowEnd(ref FlowState flow);

    /// <summary>Packets this NF could not handle as it should (e.g. a regex timeout).</summary>
    long Errors { get; }

    /// <summary>Adds this instance's own counters (name → value) to <paramref name="into"/>.</summary>
    void ReportCounters(IDictionary<string, long> into);
}
