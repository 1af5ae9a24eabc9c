using System.Buffers.Binary;
using System.Text.Json;
using AzNf.Ingest.Events;

namespace AzNf.Ingest.Consumer;

/// <summary>
/// Per origin (a chain's input partition) of egress events, the highest origin index this
/// consumer partition has handled: a packet at or below it is a repeat from a replayed send and
/// is dropped. Exact because the egress sends each hub partition an origin's packets in
/// increasing index order, one send at a time, and a replay sends them again after the first
/// copies. Stored with the checkpoint, as of the checkpointed event.
/// </summary>
public sealed class OriginWatermarks
{
    private readonly Dictionary<string, long> _highest;

    private OriginWatermarks(Dictionary<string, long> highest) => _highest = highest;

    public static OriginWatermarks Empty() => new(new Dictionary<string, long>(StringComparer.Ordinal));

    /// <summary>Watermarks as <see cref="Serialize"/> wrote them (null or empty: none).</summary>
    /// <exception cref="FormatException">The text is not what <see cref="Serialize"/> writes.</exception>
    public static OriginWatermarks Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty();
        }
        try
        {
            var read = JsonSerializer.Deserialize<Dictionary<string, long>>(text) ?? throw new FormatException("origin watermarks: null");
            return new OriginWatermarks(new Dictionary<string, long>(read, StringComparer.Ordinal));
        }
        catch (JsonException e)
        {
            throw new FormatException($"origin watermarks: {e.Message}", e);
        }
    }

    public int Count => _highest.Count;

    /// <summary>The highest index handled from <paramref name="origin"/>, or null.</summary>
    public long? Of(string origin) => _highest.TryGetValue(origin, out long highest) ? highest : null;

    public string Serialize() => JsonSerializer.Serialize(_highest);

    /// <summary>
    /// For an event with <paramref name="packets"/> packets: no origin property (not an egress
    /// event: nothing to drop), or how many of its first packets were handled already and the
    /// origin index of its last packet.
    /// </summary>
    public static PacketEventError Read(IDictionary<string, object> properties, int packets, out string? origin, out long[]? indexes)
    {
        origin = null;
        indexes = null;
        if (!properties.TryGetValue(PacketEventProperties.Origin, out var value))
        {
            return PacketEventError.None;
        }
        if (value is not string text || !properties.TryGetValue(PacketEventProperties.OriginIndexes, out var packed)
            || packed is not byte[] bytes || bytes.Length != packets * sizeof(long))
        {
            return PacketEventError.BadOrigin;
        }
        var read = new long[packets];
        for (int i = 0; i < packets; i++)
        {
            read[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * sizeof(long)));
            if (i > 0 && read[i] <= read[i - 1])
            {
                return PacketEventError.BadOrigin;
            }
        }
        origin = text;
        indexes = read;
        return PacketEventError.None;
    }

    /// <summary>How many of <paramref name="indexes"/> (increasing) were handled already.</summary>
    public int Handled(string origin, long[] indexes)
    {
        if (!_highest.TryGetValue(origin, out long highest))
        {
            return 0;
        }
        int handled = 0;
        while (handled < indexes.Length && indexes[handled] <= highest)
        {
            handled++;
        }
        return handled;
    }

    /// <summary><paramref name="origin"/>'s packets up to <paramref name="index"/> are handled.</summary>
    public void Advance(string origin, long index)
    {
        if (!_highest.TryGetValue(origin, out long highest) || index > highest)
        {
            _highest[origin] = index;
        }
    }
}
