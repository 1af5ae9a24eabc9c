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
    /// <summary>The engine's own view of a TCP connection's life, for timeouts and 5-tuple reuse.</summary>
    public TcpLifecycle Tcp;
    public CounterFlowState Counter;
    public ConntrackFlowState Conntrack;
    public IdsFlowState Ids;
}

/// <summary>
/// What the engine saw of a TCP connection, independent of any NF: it picks the idle timeout
/// and tells when a new SYN on the same 5-tuple starts a new connection.
/// </summary>
[Flags]
public enum TcpLifecycle : byte
{
    None = 0,
    SynFromA = 1,
    SynAckFromB = 2,
    Established = 4,
    FinFromA = 8,
    FinFromB = 16,
    Reset = 32,
}
