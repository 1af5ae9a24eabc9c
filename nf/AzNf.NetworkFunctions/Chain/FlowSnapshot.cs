using System.Buffers;
using System.Text;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// One flow's state as a versioned binary blob, so the durable path can keep it in a flow shard
/// between units of work: the engine's <see cref="FlowState"/>, then one section per stage that
/// keeps per-flow state, each written and read by its NF. Little-endian, field by field (never a
/// memory copy of a struct, whose layout may change):
/// </summary>
/// <remarks>
/// <code>
/// byte    format version (2)
/// int64   rules stamp: the caller's identity of the rules the state was made under
/// ...     FlowState: key, originator side, times, first packet index, lifecycle, packets and bytes each way
/// byte    section count, each:
///         byte name length, stage name (UTF-8), byte kind length, NF kind (UTF-8),
///         byte section format, int32 length, section bytes (the NF's own layout)
/// </code>
/// Sections are keyed by stage name (unique in a chain) and kind: a section whose stage is no
/// longer in the chain, or now has another kind, is skipped, and a stage without a section starts
/// the flow fresh. Cached rule decisions name rules by index, so each NF drops them on import when
/// the rules stamp differs: the flow is judged again under the new rules, which is how a rule
/// update reaches a running flow.
/// </remarks>
public static class FlowSnapshot
{
    /// <summary>The format this build writes and the only one it reads.</summary>
    public const byte FormatVersion = 2;

    /// <summary>
    /// The engine's <see cref="FlowState"/> in a snapshot (sections checked but not read), e.g. to
    /// list a flow kept in a shard with <see cref="FlowRecord.From"/> at the end of a run.
    /// </summary>
    /// <exception cref="FlowSnapshotException">The blob is not a snapshot this build can read.</exception>
    public static FlowState Read(ReadOnlySpan<byte> snapshot, string flowName)
    {
        try
        {
            var reader = new SnapshotReader(snapshot);
            var flow = ReadEngine(ref reader, out _);
            int sections = reader.Byte();
            for (int i = 0; i < sections; i++)
            {
                ReadSectionHeader(ref reader, out _, out _, out _);
                reader.Block();
            }
            reader.EnsureEnd();
            return flow;
        }
        catch (InvalidDataException e)
        {
            throw new FlowSnapshotException(flowName, e.Message, e);
        }
    }

    /// <summary>Each stage's name and kind in UTF-8, as sections are keyed (made once per partition, not per flow).</summary>
    internal static SectionKey[] SectionKeys(IReadOnlyList<INetworkFunctionDefinition> definitions) =>
        definitions.Select(d => new SectionKey(Utf8Name(d.Name), Utf8Name(d.Kind))).ToArray();

    /// <summary>The engine part of a snapshot alone, e.g. its key before the flow has a slot.</summary>
    /// <exception cref="FlowSnapshotException">The blob is not a snapshot this build can read.</exception>
    internal static FlowState ReadEngine(ReadOnlySpan<byte> snapshot, string flowName)
    {
        try
        {
            var reader = new SnapshotReader(snapshot);
            return ReadEngine(ref reader, out _);
        }
        catch (InvalidDataException e)
        {
            throw new FlowSnapshotException(flowName, e.Message, e);
        }
    }

    internal static byte[] Encode(in FlowState flow, int slot, SectionKey[] keys, INetworkFunction[] stages, long rulesStamp)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        writer.WriteByte(FormatVersion);
        writer.WriteInt64(rulesStamp);
        var key = flow.Key;
        writer.WriteUInt64(key.Lower.High);
        writer.WriteUInt64(key.Lower.Low);
        writer.WriteUInt64(key.Upper.High);
        writer.WriteUInt64(key.Upper.Low);
        writer.WriteUInt16(key.LowerPort);
        writer.WriteUInt16(key.UpperPort);
        writer.WriteByte(key.Protocol);
        writer.WriteByte(flow.OriginatorIsLower ? (byte)1 : (byte)0);
        writer.WriteInt64(flow.FirstSeenNanos);
        writer.WriteInt64(flow.LastSeenNanos);
        writer.WriteInt64(flow.FirstPacketIndex);
        writer.WriteByte((byte)flow.Tcp);
        writer.WriteInt64(flow.PacketsAToB);
        writer.WriteInt64(flow.PacketsBToA);
        writer.WriteInt64(flow.BytesAToB);
        writer.WriteInt64(flow.BytesBToA);

        int sections = 0;
        foreach (var stage in stages)
        {
            sections += stage.FlowFormat != 0 ? 1 : 0;
        }
        writer.WriteByte((byte)sections);
        var section = new ArrayBufferWriter<byte>(64);
        for (int s = 0; s < stages.Length; s++)
        {
            if (stages[s].FlowFormat == 0)
            {
                continue;
            }
            writer.WriteByte((byte)keys[s].Name.Length);
            writer.Write(keys[s].Name);
            writer.WriteByte((byte)keys[s].Kind.Length);
            writer.Write(keys[s].Kind);
            writer.WriteByte(stages[s].FlowFormat);
            section.ResetWrittenCount();
            stages[s].WriteFlow(slot, section);
            writer.WriteBlock(section.WrittenSpan);
        }
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a snapshot: the engine's state, and each stage's section into slot
    /// <paramref name="slot"/> of its NF (which the caller has started). The caller ends the slot
    /// when this throws.
    /// </summary>
    /// <exception cref="FlowSnapshotException">The blob is not a snapshot this build can read.</exception>
    internal static FlowState Decode(ReadOnlySpan<byte> snapshot, int slot, SectionKey[] keys, INetworkFunction[] stages, long rulesStamp, string flowName)
    {
        int reading = -1; // the stage whose section is being read; -1: the engine part or a header
        try
        {
            var reader = new SnapshotReader(snapshot);
            var flow = ReadEngine(ref reader, out long stamp);
            int sections = reader.Byte();
            for (int i = 0; i < sections; i++)
            {
                ReadSectionHeader(ref reader, out var name, out var kind, out byte format);
                var bytes = reader.Block();
                for (int s = 0; s < stages.Length; s++)
                {
                    if (name.SequenceEqual(keys[s].Name) && kind.SequenceEqual(keys[s].Kind))
                    {
                        reading = s;
                        stages[s].ReadFlow(slot, format, bytes, stamp != rulesStamp);
                        reading = -1;
                        break;
                    }
                }
            }
            reader.EnsureEnd();
            return flow;
        }
        catch (InvalidDataException e)
        {
            string where = reading < 0 ? "flow state" : $"section of stage '{Encoding.UTF8.GetString(keys[reading].Name)}'";
            throw new FlowSnapshotException(flowName, $"{where}: {e.Message}", e);
        }
    }

    private static FlowState ReadEngine(ref SnapshotReader reader, out long stamp)
    {
        byte format = reader.Byte();
        if (format != FormatVersion)
        {
            throw new InvalidDataException($"format version {format}, this build reads {FormatVersion}");
        }
        stamp = reader.Int64();
        var flow = default(FlowState);
        var lower = new NetAddress(reader.UInt64(), reader.UInt64());
        var upper = new NetAddress(reader.UInt64(), reader.UInt64());
        flow.Key = new FlowKey(lower, upper, reader.UInt16(), reader.UInt16(), reader.Byte());
        flow.OriginatorIsLower = reader.Byte() != 0;
        flow.FirstSeenNanos = reader.Int64();
        flow.LastSeenNanos = reader.Int64();
        flow.FirstPacketIndex = reader.Int64();
        flow.Tcp = (TcpLifecycle)reader.Byte();
        flow.PacketsAToB = reader.Int64();
        flow.PacketsBToA = reader.Int64();
        flow.BytesAToB = reader.Int64();
        flow.BytesBToA = reader.Int64();
        return flow;
    }

    private static void ReadSectionHeader(ref SnapshotReader reader, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> kind, out byte format)
    {
        name = reader.Bytes(reader.Byte());
        kind = reader.Bytes(reader.Byte());
        format = reader.Byte();
    }

    private static byte[] Utf8Name(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        return bytes.Length <= byte.MaxValue
            ? bytes
            : throw new ArgumentException($"stage name '{name}' is longer than {byte.MaxValue} UTF-8 bytes", nameof(name));
    }
}

/// <summary>How a stage's section is keyed in a snapshot: its name and NF kind, in UTF-8.</summary>
internal readonly record struct SectionKey(byte[] Name, byte[] Kind);
