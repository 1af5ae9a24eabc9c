using AzNf.Packets.Flows;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// The number that ties a flow's alerts, drops and flow record together in the report and in
/// EVE JSON (Suricata's <c>flow_id</c>). Made from the flow key and the capture index of the
/// flow's first packet, so it is the same whatever the runtime or partition count, and two
/// connections that reuse a 5-tuple get two ids.
/// </summary>
public static class FlowId
{
    // 53 bits: the largest integer a JSON reader that parses numbers as doubles (jq, JavaScript,
    // some SIEM pipelines) keeps exactly.
    private const long Mask = (1L << 53) - 1;

    /// <summary>The flow id of a parsed packet's flow (<see cref="PacketContext.FlowFirstPacketIndex"/> set by the engine).</summary>
    public static long Of(in PacketContext packet) => Of(FlowKey.From(packet.Packet, out _), packet.FlowFirstPacketIndex);

    public static long Of(in FlowKey key, long firstPacketIndex)
    {
        ulong h = key.StableHash ^ ((ulong)firstPacketIndex * 0x9E3779B185EBCA87UL);
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 32;
        long id = (long)h & Mask;
        // Zero means "no flow" in the report; never give it to one.
        return id == 0 ? 1 : id;
    }
}
