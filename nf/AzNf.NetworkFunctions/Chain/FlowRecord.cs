using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// A flow as the report lists it, taken when the flow leaves the table. Endpoint A is the one
/// that sent the flow's first packet; <see cref="Tcp"/> is what the engine saw of a TCP connection.
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
    FlowEndReason End,
    TcpLifecycle Tcp = TcpLifecycle.None,
    string? AppProto = null,
    string? Translated = null)
{
    /// <summary>The record of <paramref name="flow"/>, ended for <paramref name="end"/>; <paramref name="appProto"/> as the IDS found it, <paramref name="translated"/> the flow's key on the far side of a NAT (its alias), or null.</summary>
    public static FlowRecord From(ref FlowState flow, FlowEndReason end, string? appProto = null, string? translated = null)
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
            end,
            flow.Tcp,
            appProto,
            translated);
    }

    /// <summary>
    /// Suricata's flow state: <c>closed</c> (TCP reset or FIN both ways), <c>established</c>
    /// (the TCP handshake completed, or packets went both ways), else <c>new</c>.
    /// </summary>
    public string State =>
        Key.Protocol == IpProtocol.Tcp && TcpConnection.IsClosed(Tcp) ? "closed"
        : (Tcp & TcpLifecycle.Established) != 0 || (PacketsAToB > 0 && PacketsBToA > 0) ? "established"
        : "new";
}
