using System.Buffers;

namespace AzNf.NetworkFunctions;

/// <summary>
/// A network function that keeps nothing per flow (what state it has is shared by many flows, or
/// none): a flow starting or ending, and a flow snapshot, are nothing to it.
/// </summary>
public abstract class FlowlessNetworkFunction : INetworkFunction
{
    public byte FlowFormat => 0;

    public abstract long Errors { get; }

    public abstract Verdict Process(ref PacketContext packet, int flow);

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

    public abstract void ReportCounters(IDictionary<string, long> into);

    /// <inheritdoc/>
    public virtual byte SliceFormat => 0;

    /// <inheritdoc/>
    public virtual void WriteSlice(int shard, IBufferWriter<byte> into)
    {
    }

    /// <inheritdoc/>
    public virtual void ReadSlice(int shard, byte format, ReadOnlySpan<byte> section)
    {
    }

    /// <summary>Adds <paramref name="value"/> to counter <paramref name="name"/> (instances of one stage sum into one report).</summary>
    protected static void Add(IDictionary<string, long> into, string name, long value) =>
        into[name] = into.TryGetValue(name, out long sum) ? sum + value : value;
}
