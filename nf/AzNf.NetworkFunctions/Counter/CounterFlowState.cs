namespace AzNf.NetworkFunctions.Counter;

/// <summary>The packet counter's per-flow state: packets and wire bytes each way.</summary>
public struct CounterFlowState
{
    public long PacketsAToB;
    public long PacketsBToA;
    public long BytesAToB;
    public long BytesBToA;
}
