using System.Buffers;
using System.Runtime.CompilerServices;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.NetworkFunctions;

/// <summary>
/// A network function with per-flow state of type <typeparamref name="TFlow"/>: one column of
/// plain structs indexed by flow slot, grown (by doubling, up to the flow table's capacity) when a
/// flow starts in a slot past its end, so a packet costs an array index, never an allocation.
/// Two stages of one type each have their own instance and so their own column. Element 0 is the
/// scratch flow (slot −1), so finding a state is one add and one index, without a branch.
/// </summary>
public abstract class NetworkFunction<TFlow> : INetworkFunction where TFlow : struct
{
    private const int InitialSlots = 64;

    private TFlow[] _flows = new TFlow[InitialSlots];

    /// <summary>The state of the flow in <paramref name="flow"/> (a started slot, or <see cref="FlowSlot.Scratch"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref TFlow Flow(int flow) => ref _flows[flow + 1];

    public abstract Verdict Process(ref PacketContext packet, int flow);

    public void StartFlow(int flow)
    {
        if (flow + 1 >= _flows.Length)
        {
            Array.Resize(ref _flows, Math.Max(flow + 2, _flows.Length * 2));
        }
        Flow(flow) = default;
    }

    public void EndFlow(int flow)
    {
        ref var state = ref Flow(flow);
        OnFlowEnd(flow, ref state);
        state = default;
    }

    public abstract byte FlowFormat { get; }

    /// <inheritdoc/>
    public virtual string? AppProtocol(int flow) => null;

    public void WriteFlow(int flow, IBufferWriter<byte> into) => WriteFlow(in Flow(flow), into);

    public void ReadFlow(int flow, byte format, ReadOnlySpan<byte> section, bool rulesChanged)
    {
        if (format != FlowFormat)
        {
            throw new InvalidDataException($"section format {format}, this build reads {FlowFormat}");
        }
        var reader = new SnapshotReader(section);
        ReadFlow(ref Flow(flow), ref reader, rulesChanged);
        reader.EnsureEnd();
        OnFlowRead(flow, ref Flow(flow));
    }

    public abstract long Errors { get; }

    public abstract void ReportCounters(IDictionary<string, long> into);

    /// <summary>Adds <paramref name="value"/> to counter <paramref name="name"/> (instances of one stage sum into one report).</summary>
    protected static void Add(IDictionary<string, long> into, string name, long value) =>
        into[name] = into.TryGetValue(name, out long sum) ? sum + value : value;

    /// <summary>Releases what the flow in slot <paramref name="slot"/> holds outside its struct (e.g. a stream window, a NAT mapping).</summary>
    protected virtual void OnFlowEnd(int slot, ref TFlow flow)
    {
    }

    /// <summary>The flow in slot <paramref name="slot"/> came back from a snapshot: re-register what it holds outside its struct.</summary>
    protected virtual void OnFlowRead(int slot, ref TFlow flow)
    {
    }

    protected abstract void WriteFlow(in TFlow flow, IBufferWriter<byte> into);

    /// <summary>Reads what <see cref="WriteFlow(in TFlow, IBufferWriter{byte})"/> wrote (the format is checked, the end is checked after).</summary>
    protected abstract void ReadFlow(ref TFlow flow, ref SnapshotReader reader, bool rulesChanged);
}
