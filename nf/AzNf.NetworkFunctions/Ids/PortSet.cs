namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// A set of ports compiled from a rule's port field (single ports, ranges <c>1024:</c>, lists,
/// negation, variables) into a 65,536-bit map: one bit test per lookup.
/// </summary>
public sealed class PortSet
{
    private readonly ulong[] _bits;

    private PortSet(ulong[] bits, bool isAny)
    {
        _bits = bits;
        IsAny = isAny;
    }

    public static PortSet Any { get; } = new(Filled(), true);

    public bool IsAny { get; }

    public bool IsEmpty => Array.TrueForAll(_bits, b => b == 0);

    public bool Contains(ushort port) => IsAny || (_bits[port >> 6] & (1UL << (port & 63))) != 0;

    internal static PortSet Range(int first, int last)
    {
        var bits = new ulong[1024];
        for (int p = first; p <= last; p++)
        {
            bits[p >> 6] |= 1UL << (p & 63);
        }
        return Of(bits);
    }

    internal static PortSet Union(IEnumerable<PortSet> sets)
    {
        var bits = new ulong[1024];
        foreach (var s in sets)
        {
            for (int i = 0; i < bits.Length; i++)
            {
                bits[i] |= s._bits[i];
            }
        }
        return Of(bits);
    }

    internal PortSet Complement()
    {
        var bits = new ulong[1024];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = ~_bits[i];
        }
        return Of(bits);
    }

    internal PortSet Intersect(PortSet other)
    {
        var bits = new ulong[1024];
        for (int i = 0; i < bits.Length; i++)
        {
            bits[i] = _bits[i] & other._bits[i];
        }
        return Of(bits);
    }

    private static PortSet Of(ulong[] bits) => new(bits, Array.TrueForAll(bits, b => b == ulong.MaxValue));

    private static ulong[] Filled()
    {
        var bits = new ulong[1024];
        Array.Fill(bits, ulong.MaxValue);
        return bits;
    }
}
