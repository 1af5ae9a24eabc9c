using System.Runtime.CompilerServices;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Rules;

/// <summary>
/// A set of IP addresses kept as sorted, disjoint, non-adjacent 128-bit intervals, IPv4 held in
/// its IPv4-mapped form (<c>::ffff:a.b.c.d</c>) as <see cref="NetAddress"/> holds it. Lists,
/// negation and variables fold into it at load time, so a packet lookup is one binary search
/// (none at all for <c>any</c>) and allocates nothing.
/// </summary>
public sealed class AddressSet
{
    private static readonly UInt128 MappedLow = new(0, 0x0000_FFFF_0000_0000UL);
    private static readonly UInt128 MappedHigh = new(0, 0x0000_FFFF_FFFF_FFFFUL);

    private readonly UInt128[] _lows;
    private readonly UInt128[] _highs;

    private AddressSet(UInt128[] lows, UInt128[] highs)
    {
        _lows = lows;
        _highs = highs;
        IsAny = lows.Length == 1 && lows[0] == UInt128.Zero && highs[0] == UInt128.MaxValue;
    }

    /// <summary>Every address, IPv4 and IPv6.</summary>
    public static AddressSet Any { get; } = new([UInt128.Zero], [UInt128.MaxValue]);

    public static AddressSet Empty { get; } = new([], []);

    /// <summary>Every IPv4 address (the IPv4-mapped block <c>::ffff:0:0/96</c>).</summary>
    public static AddressSet AllIPv4 { get; } = new([MappedLow], [MappedHigh]);

    /// <summary>Every IPv6 address that is not IPv4-mapped.</summary>
    public static AddressSet AllIPv6 { get; } = AllIPv4.Complement();

    /// <summary>True when the set holds every address, so a rule can skip the lookup.</summary>
    public bool IsAny { get; }

    public bool IsEmpty => _lows.Length == 0;

    /// <summary>Number of disjoint intervals.</summary>
    public int IntervalCount => _lows.Length;

    /// <summary>The interval <c>[low, high]</c> of 128-bit address values.</summary>
    public static AddressSet Range(UInt128 low, UInt128 high)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(low, high);
        return new([low], [high]);
    }

    /// <summary>The 128-bit value an address is ordered by (IPv4 IPv4-mapped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt128 ToValue(NetAddress address) => new(address.High, address.Low);

    public static NetAddress ToAddress(UInt128 value) => new((ulong)(value >> 64), (ulong)value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(NetAddress address) => IsAny || Contains(ToValue(address));

    public bool Contains(UInt128 value)
    {
        var lows = _lows;
        var highs = _highs;
        int lo = 0, hi = lows.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (value < lows[mid])
            {
                hi = mid - 1;
            }
            else if (value > highs[mid])
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }
        return false;
    }

    public AddressSet Union(AddressSet other)
    {
        var pairs = new List<(UInt128 Low, UInt128 High)>(_lows.Length + other._lows.Length);
        pairs.AddRange(Intervals());
        pairs.AddRange(other.Intervals());
        pairs.Sort((a, b) => a.Low.CompareTo(b.Low));
        var lows = new List<UInt128>(pairs.Count);
        var highs = new List<UInt128>(pairs.Count);
        foreach (var (low, high) in pairs)
        {
            int last = highs.Count - 1;
            // Merge overlapping and adjacent intervals; the MaxValue check avoids overflow of high + 1.
            if (last >= 0 && (highs[last] == UInt128.MaxValue || low <= highs[last] + 1))
            {
                if (high > highs[last])
                {
                    highs[last] = high;
                }
                continue;
            }
            lows.Add(low);
            highs.Add(high);
        }
        return new([.. lows], [.. highs]);
    }

    public AddressSet Complement()
    {
        var lows = new List<UInt128>();
        var highs = new List<UInt128>();
        UInt128 next = UInt128.Zero;
        bool open = true;
        for (int i = 0; i < _lows.Length; i++)
        {
            if (_lows[i] > next)
            {
                lows.Add(next);
                highs.Add(_lows[i] - 1);
            }
            if (_highs[i] == UInt128.MaxValue)
            {
                open = false;
                break;
            }
            next = _highs[i] + 1;
        }
        if (open)
        {
            lows.Add(next);
            highs.Add(UInt128.MaxValue);
        }
        return new([.. lows], [.. highs]);
    }

    public AddressSet Intersect(AddressSet other) => Complement().Union(other.Complement()).Complement();

    /// <summary>The addresses of this set that are not in <paramref name="other"/>.</summary>
    public AddressSet Except(AddressSet other) => Complement().Union(other).Complement();

    public IEnumerable<(UInt128 Low, UInt128 High)> Intervals()
    {
        for (int i = 0; i < _lows.Length; i++)
        {
            yield return (_lows[i], _highs[i]);
        }
    }
}
