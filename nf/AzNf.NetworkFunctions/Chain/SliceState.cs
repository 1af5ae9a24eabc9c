using System.Buffers;
using System.Text;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// The state of one (partition, shard) slice, as the durable runtime stores it beside the shard's
/// flows: per stage that keeps slice state, its name, its section format and its section
/// (little-endian; a count of sections first). Stages are matched by name, so a chain whose other
/// stages changed still finds its limiter's buckets.
/// </summary>
public static class SliceState
{
    /// <summary>Writes slice <paramref name="shard"/> of every stage that keeps one.</summary>
    public static byte[] Write(int shard, IReadOnlyList<INetworkFunctionDefinition> definitions, IReadOnlyList<INetworkFunction> stages)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(stages);
        var into = new ArrayBufferWriter<byte>();
        var section = new ArrayBufferWriter<byte>();
        into.WriteUInt16((ushort)stages.Count(s => s.SliceFormat != 0));
        for (int i = 0; i < stages.Count; i++)
        {
            if (stages[i].SliceFormat == 0)
            {
                continue;
            }
            section.ResetWrittenCount();
            stages[i].WriteSlice(shard, section);
            into.WriteBlock(Encoding.UTF8.GetBytes(definitions[i].Name));
            into.WriteByte(stages[i].SliceFormat);
            into.WriteBlock(section.WrittenSpan);
        }
        return into.WrittenSpan.ToArray();
    }

    /// <summary>Puts what <see cref="Write"/> wrote into the stages (a stage without a section starts its slice fresh).</summary>
    /// <exception cref="FlowSnapshotException">The bytes cannot be read; the message names <paramref name="where"/>.</exception>
    public static void Read(ReadOnlySpan<byte> state, int shard, IReadOnlyList<INetworkFunctionDefinition> definitions, IReadOnlyList<INetworkFunction> stages, string where)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(stages);
        var read = new bool[stages.Count];
        try
        {
            if (!state.IsEmpty)
            {
                var reader = new SnapshotReader(state);
                int count = reader.UInt16();
                for (int n = 0; n < count; n++)
                {
                    string name = Encoding.UTF8.GetString(reader.Block());
                    byte format = reader.Byte();
                    var section = reader.Block();
                    int i = IndexOf(definitions, name);
                    if (i < 0 || stages[i].SliceFormat == 0)
                    {
                        continue; // a stage no longer in the chain, or one that keeps no slice now
                    }
                    stages[i].ReadSlice(shard, format, section);
                    read[i] = true;
                }
                reader.EnsureEnd();
            }
        }
        catch (InvalidDataException e)
        {
            throw new FlowSnapshotException(where, $"slice state of shard {shard} cannot be read: {e.Message}", e);
        }
        for (int i = 0; i < stages.Count; i++)
        {
            if (!read[i] && stages[i].SliceFormat != 0)
            {
                stages[i].ReadSlice(shard, stages[i].SliceFormat, []);
            }
        }
    }

    private static int IndexOf(IReadOnlyList<INetworkFunctionDefinition> definitions, string name)
    {
        for (int i = 0; i < definitions.Count; i++)
        {
            if (string.Equals(definitions[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }
}
