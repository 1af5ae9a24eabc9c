using AzNf.NetworkFunctions.Counter;
using AzNf.NetworkFunctions.Firewall;
using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Flows;

namespace AzNf.NetworkFunctions;

/// <summary>
/// Everything the chain keeps per flow: identity and timing owned by the engine, then one
/// field per NF. A struct stored inline in the partition's flow table, so a flow costs no
/// allocation (see docs/PERFORMANCE.md for bytes per flow).
/// </summary>
public struct FlowState
{
    public FlowKey Key;
    /// <summary>True when endpoint A (the originator, first packet's source) is the key's lower endpoint.</summary>
    public bool OriginatorIsLower;
    public long FirstSeenNanos;
    public long LastSeenNanos;
    /// <summary>1-based capture index of the flow's first packet.</summary>
    public long FirstPacketIndex;
    public CounterFlowState Counter;
    public ConntrackFlowState Conntrack;
    public IdsFlowState Ids;
}
