using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// Packets copied out of the capture reader's buffer for one partition. Batches are pooled per
/// partition, so steady-state reading allocates nothing.
/// </summary>
internal sealed class PacketBatch(int packets)
{
    public readonly Entry[] Entries = new Entry[packets];
    public byte[] Data = new byte[packets * 2048];
    public int Count;
    public int DataLength;

    public bool IsFull => Count == Entries.Length;

    public struct Entry
    {
        public ParsedPacket Parsed;
        public long TimestampNanos;
        public long Index;
        public int Offset;
        public int Length;
        public int WireLength;
        public MalformedReason Malformed;
    }

    public void Add(ReadOnlySpan<byte> frame, in ParsedPacket parsed, MalformedReason malformed, int wireLength, long timestampNanos, long index)
    {
        if (DataLength + frame.Length > Data.Length)
        {
            Array.Resize(ref Data, Math.Max(Data.Length * 2, DataLength + frame.Length));
        }
        frame.CopyTo(Data.AsSpan(DataLength));
        ref var entry = ref Entries[Count++];
        entry.Parsed = parsed;
        entry.Malformed = malformed;
        entry.Offset = DataLength;
        entry.Length = frame.Length;
        entry.WireLength = wireLength;
        entry.TimestampNanos = timestampNanos;
        entry.Index = index;
        DataLength += frame.Length;
    }

    public void Clear()
    {
        Count = 0;
        DataLength = 0;
    }
}
