namespace AzNf.NetworkFunctions.Counter;

/// <summary>
/// Counts the packets and wire bytes that reach its stage (shared state, summed over
/// partitions). Never drops. It keeps nothing per flow: the engine counts every flow's packets and
/// bytes each way for the report, whatever the chain.
/// </summary>
/// <remarks>
/// Counters: <c>packets</c>, <c>bytes</c> (all packets that reached the stage, wire length),
/// <c>unparsed</c> (of which could not be parsed). Config: none.
/// Example stage: <c>{ "name": "counter", "type": "counter" }</c>.
/// </remarks>
public sealed class PacketCounter : FlowlessNetworkFunction
{
    private long _packets;
    private long _bytes;
    private long _unparsed;

    public override long Errors => 0;

    public override Verdict Process(ref PacketContext packet, int flow)
    {
        _packets++;
        _bytes += packet.WireLength;
        if (!packet.IsParsed)
        {
            _unparsed++;
        }
        return Verdict.Forward;
    }

    public override void ReportCounters(IDictionary<string, long> into)
    {
        Add(into, "packets", _packets);
        Add(into, "bytes", _bytes);
        Add(into, "unparsed", _unparsed);
    }
}
