using System.Buffers;

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
public sealed class PacketCounter : INetworkFunction
{
    private long _packets;
    private long _bytes;
    private long _unparsed;

    public long Errors => 0;

    public byte FlowFormat => 0;

    public Verdict Process(ref PacketContext packet, int flow)
    {
        _packets++;
        _bytes += packet.WireLength;
        if (!packet.IsParsed)
        {
            _unparsed++;
        }
        return Verdict.Forward;
    }

    public void StartFlow(int flow)
    {
    }

    public void EndFlow(int flow)
    {
    }

    public void WriteFlow(int flow, IBufferWriter<byte> into)
    {
    }

    public void ReadFlow(int flow, byte format, ReadOnlySpan<byte> section, bool rulesChanged)
    {
    }

    public void ReportCounters(IDictionary<string, long> into)
    {
        into["packets"] = into.TryGetValue("packets", out long p) ? p + _packets : _packets;
        into["bytes"] = into.TryGetValue("bytes", out long b) ? b + _bytes : _bytes;
        into["unparsed"] = into.TryGetValue("unparsed", out long u) ? u + _unparsed : _unparsed;
    }
}
