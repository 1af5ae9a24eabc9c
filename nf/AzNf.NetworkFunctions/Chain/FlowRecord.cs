using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// A flow as the report lists it, taken when the flow leaves the table. Endpoint A is the one
/// that sent the flow's first packet.
/// </summary>
public sealed record FlowRecord(
    FlowKey Key,
    NetAddress AAddress,
    ushort APort,
    NetAddress BAddress,
    ushort BPort,
    long PacketsAToB,
    long PacketsBToA,
    long BytesAToB,
    long BytesBToA,
    long FirstPacketIndex,
    long FirstSeenNanos,
    long LastSeenNanos,
    FlowEndReason End)
{
    public static FlowRecord From(ref FlowState flow, FlowEndReason end)
    {
        var key = flow.Key;
        bool aIsLower = flow.OriginatorIsLower;
        return new FlowRecord(
            key,
            aIsLower ? key.Lower : key.Upper,
            aIsLower ? key.LowerPort : key.UpperPort,
            aIsLower ? key.Upper : key.Lower,
            aIsLower ? key.UpperPort : key.LowerPort,
            flow.PacketsAToB,
            flow.PacketsBToA,
            flow.BytesAToB,
            flow.BytesBToA,
            flow.FirstPacketIndex,
            flow.FirstSeenNanos,
            flow.LastSeenNanos,
            end);
    }
}
