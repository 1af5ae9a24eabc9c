using AzNf.Packets.Flows;

namespace AzNf.NetworkFunctions;

/// <summary>
/// What the engine keeps per flow, whatever the chain: identity, timing, the TCP lifecycle and
/// packets and bytes each way. A struct stored inline in the partition's flow table, so a flow
/// costs no allocation. Each NF keeps its own per-flow state in its own column, indexed by the
/// flow's slot (<see cref="NetworkFunction{TFlow}"/>), so the engine knows no NF.
/// </summary>
public struct FlowState
{
    public FlowKey Key;
    public long FirstSeenNanos;
    public long LastSeenNanos;
    /// <summary>1-based capture index of the flow's first packet.</summary>
    public long FirstPacketIndex;
    /// <summary>Packets from endpoint A (the originator) that reached the chain.</summary>
    public long PacketsAToB;
    public long PacketsBToA;
    /// <summary>Wire bytes from endpoint A that reached the chain.</summary>
    public long BytesAToB;
    public long BytesBToA;
    /// <summary>True when endpoint A (the originator, first packet's source) is the key's lower endpoint.</summary>
    public bool OriginatorIsLower;
    /// <summary>The engine's own view of a TCP connection's life, for timeouts and 5-tuple reuse.</summary>
    public TcpLifecycle Tcp;
    /// <summary>The flow's shard (<see cref="Chain.FlowShardHash"/>) when the chain keeps slice state, else 0; not part of a snapshot.</summary>
    public int Shard;
}
