using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions;

/// <summary>Which way a packet travels relative to the flow's originator (A sent the first packet).</summary>
public enum FlowDirection : byte
{
    AToB = 0,
    BToA = 1,
}

/// <summary>
/// One packet as it travels the chain: the captured bytes, what the parser learned and where
/// the packet sits in its flow. A ref struct so the bytes are never copied.
/// </summary>
public ref struct PacketContext
{
    /// <summary>The captured bytes (possibly shorter than <see cref="WireLength"/>).</summary>
    public ReadOnlySpan<byte> Frame;
    /// <summary>
    /// <see cref="Frame"/>'s bytes, writable: a copy made before the chain's first stage when the
    /// chain has a stage that rewrites packets (<see cref="INetworkFunctionDefinition.RewritesPackets"/>),
    /// empty otherwise. A stage that changes the header updates <see cref="Packet"/> with it, so
    /// the stages after it see the packet as it now is.
    /// </summary>
    public Span<byte> Writable;
    /// <summary>A stage changed the packet (set by the stage that did); the outputs hear of it as it leaves the chain.</summary>
    public bool IsRewritten;
    /// <summary>Decoded headers; meaningful only when <see cref="IsParsed"/>.</summary>
    public ParsedPacket Packet;
    /// <summary>Why the frame is unparsed, or <see cref="MalformedReason.None"/>.</summary>
    public MalformedReason Malformed;
    /// <summary>The frame's original length on the wire.</summary>
    public int WireLength;
    /// <summary>Capture timestamp, nanoseconds since the Unix epoch.</summary>
    public long TimestampNanos;
    /// <summary>1-based position of the packet in capture order.</summary>
    public long Index;
    /// <summary>Direction relative to the flow's originator; meaningful only when parsed.</summary>
    public FlowDirection Direction;
    /// <summary>
    /// Capture index of the first packet of this packet's flow (this packet's own index when it
    /// has no flow in the table): with the flow key, the flow's <see cref="Chain.FlowId"/>.
    /// </summary>
    public long FlowFirstPacketIndex;
    /// <summary>
    /// The flow shard of the packet's flow (<see cref="Chain.FlowShardHash"/>) when the chain keeps
    /// slice state, else 0: with the partition, the slice whose shared state the packet draws on.
    /// </summary>
    public int Shard;

    public readonly bool IsParsed => Malformed == MalformedReason.None;

    /// <summary>The transport payload (after TCP/UDP/ICMP headers, without link padding).</summary>
    public readonly ReadOnlySpan<byte> Payload => Frame.Slice(Packet.PayloadOffset, Packet.PayloadLength);
}
