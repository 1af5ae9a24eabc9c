using System.Buffers;
using System.Buffers.Binary;
using AzNf.NetworkFunctions.Firewall;
using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// One flow's NF state as a versioned binary blob, so the durable path can keep it in a flow
/// entity between units of work: the <see cref="FlowState"/> fields and the IDS stream windows
/// of both directions (the part that lives in a partition's stream pool). Little-endian,
/// field by field (never a memory copy of the struct, whose layout may change):
/// </summary>
/// <remarks>
/// <code>
/// byte    format version (1)
/// int64   rules stamp: the caller's identity of the rules the state was made under
/// ...     FlowState: key, originator side, times, lifecycle, counter, conntrack, IDS
/// byte    stream directions present (0, or 2: to_server then to_client), each:
///         int32 tail length, tail bytes, int64 consumed, byte carry overflowed,
///         byte carried count, int32 × count, int32 pending count, (uint32 seq, int32 length, bytes) × count
/// </code>
/// Cached rule decisions (the firewall's per-connection verdicts, the IDS's whole-flow verdict)
/// name rules by index, so they are cleared on import when the rules stamp differs: the flow is
/// judged again under the new rules, which is how a rule update reaches a running flow.
/// </remarks>
public static class FlowSnapshot
{
    /// <summary>The format this build writes and the only one it reads.</summary>
    public const byte FormatVersion = 1;

    /// <summary>
    /// The <see cref="FlowState"/> in a snapshot (stream windows skipped), e.g. to list a flow
    /// kept in an entity with <see cref="FlowRecord.From"/> at the end of a run.
    /// </summary>
    /// <exception cref="FlowSnapshotException">The blob is not a snapshot this build can read.</exception>
    public static FlowState Read(ReadOnlySpan<byte> snapshot, string flowName) =>
        Decode(snapshot, null, ReadRulesStamp(snapshot), flowName);

    private static long ReadRulesStamp(ReadOnlySpan<byte> snapshot) =>
        snapshot.Length >= 9 ? BinaryPrimitives.ReadInt64LittleEndian(snapshot[1..]) : 0;

    internal static byte[] Encode(in FlowState flow, TcpStreamPool? streams, long rulesStamp)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        WriteByte(writer, FormatVersion);
        WriteInt64(writer, rulesStamp);
        var key = flow.Key;
        WriteUInt64(writer, key.Lower.High);
        WriteUInt64(writer, key.Lower.Low);
        WriteUInt64(writer, key.Upper.High);
        WriteUInt64(writer, key.Upper.Low);
        WriteUInt16(writer, key.LowerPort);
        WriteUInt16(writer, key.UpperPort);
        WriteByte(writer, key.Protocol);
        WriteByte(writer, flow.OriginatorIsLower ? (byte)1 : (byte)0);
        WriteInt64(writer, flow.FirstSeenNanos);
        WriteInt64(writer, flow.LastSeenNanos);
        WriteInt64(writer, flow.FirstPacketIndex);
        WriteByte(writer, (byte)flow.Tcp);
        WriteInt64(writer, flow.Counter.PacketsAToB);
        WriteInt64(writer, flow.Counter.PacketsBToA);
        WriteInt64(writer, flow.Counter.BytesAToB);
        WriteInt64(writer, flow.Counter.BytesBToA);
        ref readonly var ct = ref flow.Conntrack;
        WriteInt64(writer, ct.LastSeenNanos);
        WriteUInt32(writer, ct.FinEndOriginator);
        WriteUInt32(writer, ct.FinEndResponder);
        WriteUInt16(writer, ct.VerdictNew);
        WriteUInt16(writer, ct.VerdictOriginatorEstablished);
        WriteUInt16(writer, ct.VerdictResponderEstablished);
        WriteByte(writer, (byte)ct.State);
        WriteByte(writer, (byte)ct.Flags);
        ref readonly var ids = ref flow.Ids;
        WriteUInt32(writer, ids.NextSequenceToServer);
        WriteUInt32(writer, ids.NextSequenceToClient);
        WriteByte(writer, (byte)ids.Stage);
        WriteByte(writer, (byte)ids.Seen);
        WriteByte(writer, (byte)ids.FlowVerdict);
        WriteInt32(writer, ids.VerdictRule);
        if (streams is null || ids.StreamSlot == 0)
        {
            WriteByte(writer, 0);
        }
        else
        {
            WriteByte(writer, 2);
            WriteDirection(writer, streams.Direction(ids.StreamSlot, FlowDirection.AToB));
            WriteDirection(writer, streams.Direction(ids.StreamSlot, FlowDirection.BToA));
        }
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a snapshot. The stream windows, if any, go into a slot rented from
    /// <paramref name="streams"/> (dropped when the chain has no IDS).
    /// </summary>
    /// <exception cref="FlowSnapshotException">The blob is not a snapshot this build can read.</exception>
    internal static FlowState Decode(ReadOnlySpan<byte> snapshot, TcpStreamPool? streams, long rulesStamp, string flowName)
    {
        int rented = 0;
        try
        {
            var reader = new SnapshotReader(snapshot);
            byte format = reader.Byte();
            if (format != FormatVersion)
            {
                throw new InvalidDataException($"format version {format}, this build reads {FormatVersion}");
            }
            long stamp = reader.Int64();
            var flow = default(FlowState);
            var lower = new NetAddress(reader.UInt64(), reader.UInt64());
            var upper = new NetAddress(reader.UInt64(), reader.UInt64());
            flow.Key = new FlowKey(lower, upper, reader.UInt16(), reader.UInt16(), reader.Byte());
            flow.OriginatorIsLower = reader.Byte() != 0;
            flow.FirstSeenNanos = reader.Int64();
            flow.LastSeenNanos = reader.Int64();
            flow.FirstPacketIndex = reader.Int64();
            flow.Tcp = (TcpLifecycle)reader.Byte();
            flow.Counter.PacketsAToB = reader.Int64();
            flow.Counter.PacketsBToA = reader.Int64();
            flow.Counter.BytesAToB = reader.Int64();
            flow.Counter.BytesBToA = reader.Int64();
            ref var ct = ref flow.Conntrack;
            ct.LastSeenNanos = reader.Int64();
            ct.FinEndOriginator = reader.UInt32();
            ct.FinEndResponder = reader.UInt32();
            ct.VerdictNew = reader.UInt16();
            ct.VerdictOriginatorEstablished = reader.UInt16();
            ct.VerdictResponderEstablished = reader.UInt16();
            ct.State = (ConntrackState)reader.Byte();
            ct.Flags = (ConntrackFlags)reader.Byte();
            ref var ids = ref flow.Ids;
            ids.NextSequenceToServer = reader.UInt32();
            ids.NextSequenceToClient = reader.UInt32();
            ids.Stage = (IdsTcpStage)reader.Byte();
            ids.Seen = (IdsFlowSeen)reader.Byte();
            ids.FlowVerdict = (IdsFlowVerdict)reader.Byte();
            ids.VerdictRule = reader.Int32();
            byte directions = reader.Byte();
            if (directions == 2)
            {
                if (streams is not null)
                {
                    rented = streams.Rent();
                    ReadDirection(ref reader, streams.Direction(rented, FlowDirection.AToB));
                    ReadDirection(ref reader, streams.Direction(rented, FlowDirection.BToA));
                    ids.StreamSlot = rented;
                }
                else
                {
                    SkipDirection(ref reader);
                    SkipDirection(ref reader);
                }
            }
            else if (directions != 0)
            {
                throw new InvalidDataException($"{directions} stream directions (0 or 2 expected)");
            }
            if (!reader.AtEnd)
            {
                throw new InvalidDataException($"{reader.Remaining} bytes after the end");
            }
            if (stamp != rulesStamp)
            {
                ct.VerdictNew = ct.VerdictOriginatorEstablished = ct.VerdictResponderEstablished = 0;
                ids.FlowVerdict = IdsFlowVerdict.None;
                ids.VerdictRule = 0;
            }
            return flow;
        }
        catch (InvalidDataException e)
        {
            if (rented != 0)
            {
                streams!.Return(rented);
            }
            throw new FlowSnapshotException(flowName, e.Message, e);
        }
    }

    private static void WriteDirection(ArrayBufferWriter<byte> writer, TcpStreamDirection direction)
    {
        WriteInt32(writer, direction.TailLength);
        writer.Write(direction.Tail.AsSpan(0, direction.TailLength));
        WriteInt64(writer, direction.Consumed);
        WriteByte(writer, direction.CarryOverflowed ? (byte)1 : (byte)0);
        var carried = direction.Carried;
        WriteByte(writer, (byte)carried.Length);
        foreach (int rule in carried)
        {
            WriteInt32(writer, rule);
        }
        WriteInt32(writer, direction.PendingCount);
        for (int i = 0; i < direction.PendingCount; i++)
        {
            var data = direction.PendingData(i);
            WriteUInt32(writer, direction.PendingSequence(i));
            WriteInt32(writer, data.Length);
            writer.Write(data);
        }
    }

    // The pool's window may be smaller than the one the snapshot was made with (the IDS options
    // changed with a rule update): keep the newest bytes and the earliest held segments that fit.
    private static void ReadDirection(ref SnapshotReader reader, TcpStreamDirection direction)
    {
        var tail = reader.Bytes(reader.Length());
        int keep = Math.Min(tail.Length, direction.Tail.Length);
        tail[^keep..].CopyTo(direction.Tail);
        direction.TailLength = keep;
        direction.Consumed = reader.Int64();
        bool overflowed = reader.Byte() != 0;
        int carried = reader.Byte();
        if (!overflowed)
        {
            direction.ClearCarry();
        }
        for (int i = 0; i < carried; i++)
        {
            int rule = reader.Int32();
            if (!overflowed)
            {
                direction.Carry(rule);
            }
        }
        int pending = reader.Length();
        for (int i = 0; i < pending; i++)
        {
            uint sequence = reader.UInt32();
            var data = reader.Bytes(reader.Length());
            if (direction.PendingCount < direction.PendingCapacity)
            {
                direction.AddPending(sequence, data);
            }
        }
    }

    private static void SkipDirection(ref SnapshotReader reader)
    {
        reader.Bytes(reader.Length());
        reader.Int64();
        reader.Byte();
        int carried = reader.Byte();
        for (int i = 0; i < carried; i++)
        {
            reader.Int32();
        }
        int pending = reader.Length();
        for (int i = 0; i < pending; i++)
        {
            reader.UInt32();
            reader.Bytes(reader.Length());
        }
    }

    private static void WriteByte(ArrayBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    private static void WriteUInt16(ArrayBufferWriter<byte> writer, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    private static void WriteUInt32(ArrayBufferWriter<byte> writer, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    private static void WriteUInt64(ArrayBufferWriter<byte> writer, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> writer, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(writer.GetSpan(8), value);
        writer.Advance(8);
    }

    /// <summary>Bounds-checked little-endian reads; a short or inconsistent blob is <see cref="InvalidDataException"/>.</summary>
    private ref struct SnapshotReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _offset;

        public readonly bool AtEnd => _offset == _data.Length;

        public readonly int Remaining => _data.Length - _offset;

        public byte Byte() => Take(1)[0];

        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        /// <summary>A length or count: never negative, never more than the bytes left.</summary>
        public int Length()
        {
            int length = Int32();
            return length >= 0 && length <= Remaining
                ? length
                : throw new InvalidDataException($"length {length} at byte {_offset - 4} does not fit the {_data.Length}-byte snapshot");
        }

        public ReadOnlySpan<byte> Bytes(int count) => Take(count);

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > Remaining)
            {
                throw new InvalidDataException($"truncated at byte {_offset} of {_data.Length}");
            }
            var span = _data.Slice(_offset, count);
            _offset += count;
            return span;
        }
    }
}
