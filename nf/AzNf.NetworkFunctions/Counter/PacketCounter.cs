namespace AzNf.NetworkFunctions.Counter;

/// <summary>
/// Counts packets and wire bytes per flow and direction (per-flow state) and in total (shared
/// state). Never drops.
/// </summary>
/// <remarks>
/// Counters: <c>packets</c>, <c>bytes</c> (all packets that reached the stage, wire length),
/// <c>unparsed</c> (of which could not be parsed). Config: none.
/// Example stage: <c>{ "name": "counter", "type": "counter" }</c>.
/// </remarks>
public sealed class PacketCounter : INetworkFunction
{
    private long _packets;
    private long _bytes;
    private long _unparsed;

    public long Errors => 0;

    public Verdict Process(ref PacketContext packet, ref FlowState flow)
    {
        _packets++;
        _bytes += packet.WireLength;
        if (!packet.IsParsed)
        {
            _unparsed++;
            return Verdict.Forward;
        }
        if (packet.Direction == FlowDirection.AToB)
        {
            flow.Counter.PacketsAToB++;
            flow.Counter.BytesAToB += packet.WireLength;
        }
        else
        {
            flow.Counter.PacketsBToA++;
            flow.Counter.BytesBToA += packet.WireLength;
        }
        return Verdict.Forward;
    }

    public void OnFlowEnd(ref FlowState flow)
    {
    }

    public void ReportCounters(IDictionary<string, long> into)
    {
        into["packets"] = into.TryGetValue("packets", out long p) ? p + _packets : _packets;
        into["bytes"] = into.TryGetValue("bytes", out long b) ? b + _bytes : _bytes;
        into["unparsed"] = into.TryGetValue("unparsed", out long u) ? u + _unparsed : _unparsed;
    }
}
