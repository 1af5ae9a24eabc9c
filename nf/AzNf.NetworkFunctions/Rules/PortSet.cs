using System.Runtime.CompilerServices;

namespace AzNf.NetworkFunctions.Rules;

/// <summary>
/// A set of TCP/UDP ports compiled from a port expression (single ports, ranges <c>1024:</c>,
/// lists, negation, variables) into a 65,536-bit map: a lookup is one bit test, cheaper than a
/// binary search over ranges, for 8 KiB per distinct expression (the parser shares equal ones).
/// </summary>
public sealed class PortSet
{
    private const int Words = 65_536 / 64;

    private readonly ulong[] _bits;

    private PortSet(ulong[] bits)
    {
        _bits = bits;
        IsAny = Array.TrueForAll(bits, b => b == ulong.MaxValue);
        IsEmpty = Array.TrueForAll(bits, b => b == 0);
    }

    /// <summary>Every port 0–65535.</summary>
    public static PortSet Any { get; } = Range(0, 65_535);

    public static PortSet Empty { get; } = new(new ulong[Words]);

    /// <summary>True when the set holds every port, so a rule can skip the lookup.</summary>
    public bool IsAny { get; }

    public bool IsEmpty { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(ushort port) => (_bits[port >> 6] & (1UL << (port & 63))) != 0;

    /// <summary>The ports <c>first</c> to <c>last</c> inclusive.</summary>
    public static PortSet Range(ushort first, ushort last)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, last);
        var bits = new ulong[Words];
        for (int port = first; port <= last; port++)
        {
            bits[port >> 6] |= 1UL << (port & 63);
        }
        return new(bits);
    }

    public PortSet Union(PortSet other) => Combine(other, static (a, b) => a | b);

    public PortSet Intersect(PortSet other) => Combine(other, static (a, b) => a & b);

    /// <summary>The ports of this set that are not in <paramref name="other"/>.</summary>
    public PortSet Except(PortSet other) => Combine(other, static (a, b) => a & ~b);

    public PortSet Complement() => Combine(this, static (a, _) => ~a);

    /// <summary>The ports in the set, ascending (for tests and reports).</summary>
    public IEnumerable<ushort> Ports()
    {
        for (int port = 0; port <= 65_535; port++)
        {
            if (Contains((ushort)port))
            {
                yield return (ushort)port;
            }
        }
    }

    private PortSet Combine(PortSet other, Func<ulong, ulong, ulong> operation)
    {
        var bits = new ulong[Words];
        for (int i = 0; i < Words; i++)
        {
            bits[i] = operation(_bits[i], other._bits[i]);
        }
        return new(bits);
    }
}
