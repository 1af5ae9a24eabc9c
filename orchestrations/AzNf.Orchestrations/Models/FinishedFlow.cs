using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Models;

/// <summary>A <see cref="FlowRecord"/> in serializable form (endpoint A sent the flow's first packet).</summary>
public sealed record FinishedFlow(
    string Key,
    string AAddress,
    ushort APort,
    string BAddress,
    ushort BPort,
    long PacketsAToB,
    long PacketsBToA,
    long BytesAToB,
    long BytesBToA,
    long FirstPacketIndex,
    long FirstSeenNanos,
    long LastSeenNanos,
    string End)
{
    public static FinishedFlow From(FlowRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new FinishedFlow(
            record.Key.ToString(), record.AAddress.ToString(), record.APort, record.BAddress.ToString(), record.BPort,
            record.PacketsAToB, record.PacketsBToA, record.BytesAToB, record.BytesBToA,
            record.FirstPacketIndex, record.FirstSeenNanos, record.LastSeenNanos, record.End.ToString());
    }
}
