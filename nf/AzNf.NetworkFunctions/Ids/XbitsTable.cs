using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>What an <c>xbits</c> bit belongs to.</summary>
public enum IdsXbitsTrack : byte
{
    /// <summary>The packet's source host.</summary>
    Source,
    /// <summary>The packet's destination host.</summary>
    Destination,
    /// <summary>The pair of hosts, either way round.</summary>
    Pair,
}

/// <summary>One <c>xbits</c> keyword: like <see cref="IdsFlowbits"/>, but the bit belongs to a host or host pair and expires.</summary>
public sealed record IdsXbits(IdsFlowbitsCommand Command, int Bit, IdsXbitsTrack Track, int ExpireSeconds, string Text)
{
    public bool IsCondition => Command is IdsFlowbitsCommand.IsSet or IdsFlowbitsCommand.IsNotSet;
}

/// <summary>
/// The xbits of an IDS stage: per bit and host (or host pair), until when it is set, in packet
/// time. Shared by every partition (hosts are not partitioned), bounded: when full, expired bits
/// are dropped, and if none has expired the set is not kept (<c>xbits:table-full</c>).
/// </summary>
internal sealed class XbitsTable(int maxEntries)
{
    private const long NanosPerSecond = 1_000_000_000;
    private readonly Dictionary<Key, long> _expiry = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _expiry.Count;
            }
        }
    }

    public bool IsSet(IdsXbits xbits, NetAddress source, NetAddress destination, long timeNanos)
    {
        lock (_lock)
        {
            return _expiry.TryGetValue(KeyOf(xbits, source, destination), out long until) && timeNanos < until;
        }
    }

    /// <summary>Sets, unsets or toggles the bit; false when a set could not be kept because the table is full.</summary>
    public bool Apply(IdsXbits xbits, NetAddress source, NetAddress destination, long timeNanos)
    {
        var key = KeyOf(xbits, source, destination);
        lock (_lock)
        {
            bool set = _expiry.TryGetValue(key, out long until) && timeNanos < until;
            bool wanted = xbits.Command switch
            {
                IdsFlowbitsCommand.Set => true,
                IdsFlowbitsCommand.Unset => false,
                _ => !set,
            };
            if (!wanted)
            {
                _expiry.Remove(key);
                return true;
            }
            if (!_expiry.ContainsKey(key) && _expiry.Count >= maxEntries && !Evict(timeNanos))
            {
                return false;
            }
            _expiry[key] = timeNanos + (xbits.ExpireSeconds * NanosPerSecond);
            return true;
        }
    }

    private bool Evict(long timeNanos)
    {
        List<Key>? expired = null;
        foreach (var (key, until) in _expiry)
        {
            if (timeNanos >= until)
            {
                (expired ??= []).Add(key);
            }
        }
        foreach (var key in expired ?? [])
        {
            _expiry.Remove(key);
        }
        return _expiry.Count < maxEntries;
    }

    private static Key KeyOf(IdsXbits xbits, NetAddress source, NetAddress destination) => xbits.Track switch
    {
        IdsXbitsTrack.Source => new Key(xbits.Bit, source, default),
        IdsXbitsTrack.Destination => new Key(xbits.Bit, destination, default),
        _ => source.CompareTo(destination) <= 0 ? new Key(xbits.Bit, source, destination) : new Key(xbits.Bit, destination, source),
    };

    private readonly record struct Key(int Bit, NetAddress First, NetAddress Second);
}
