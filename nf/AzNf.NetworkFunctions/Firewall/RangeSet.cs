namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// A set of unsigned values kept as sorted, disjoint, non-adjacent inclusive ranges over a
/// universe <c>[0, max]</c>. Addresses (128-bit, IPv4 held IPv4-mapped) and ports (16-bit) both
/// use it, so lists, negation and variables reduce to one union/complement algebra at load time
/// and a rule match is a binary search.
/// </summary>
public sealed class RangeSet
{
    private readonly UInt128[] _lows;
    private readonly UInt128[] _highs;

    private RangeSet(UInt128 max, UInt128[] lows, UInt128[] highs)
    {
        Max = max;
        _lows = lows;
        _highs = highs;
    }

    /// <summary>The largest value of the universe.</summary>
    public UInt128 Max { get; }

    /// <summary>Number of disjoint ranges.</summary>
    public int RangeCount => _lows.Length;

    public bool IsEmpty => _lows.Length == 0;

    /// <summary>True when the set holds the whole universe.</summary>
    public bool IsAll => _lows.Length == 1 && _lows[0] == UInt128.Zero && _highs[0] == Max;

    public static RangeSet Empty(UInt128 max) => new(max, [], []);

    public static RangeSet All(UInt128 max) => new(max, [UInt128.Zero], [max]);

    public static RangeSet Range(UInt128 max, UInt128 low, UInt128 high)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(low, high);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(high, max);
        return new(max, [low], [high]);
    }

    public bool Contains(UInt128 value)
    {
        var lows = _lows;
        int lo = 0, hi = lows.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (value < lows[mid])
            {
                hi = mid - 1;
            }
            else if (value > _highs[mid])
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

    public RangeSet Union(RangeSet other)
    {
        var pairs = new List<(UInt128 Low, UInt128 High)>(_lows.Length + other._lows.Length);
        for (int i = 0; i < _lows.Length; i++)
        {
            pairs.Add((_lows[i], _highs[i]));
        }
        for (int i = 0; i < other._lows.Length; i++)
        {
            pairs.Add((other._lows[i], other._highs[i]));
        }
        return Normalize(Max, pairs);
    }

    public RangeSet Complement()
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
            if (_highs[i] == Max)
            {
                open = false;
                break;
            }
            next = _highs[i] + 1;
        }
        if (open)
        {
            lows.Add(next);
            highs.Add(Max);
        }
        return new(Max, [.. lows], [.. highs]);
    }

    /// <summary>The values of this set that are not in <paramref name="other"/>.</summary>
    public RangeSet Except(RangeSet other) => Complement().Union(other).Complement();

    public IEnumerable<(UInt128 Low, UInt128 High)> Ranges()
    {
        for (int i = 0; i < _lows.Length; i++)
        {
            yield return (_lows[i], _highs[i]);
        }
    }

    private static RangeSet Normalize(UInt128 max, List<(UInt128 Low, UInt128 High)> pairs)
    {
        pairs.Sort((a, b) => a.Low.CompareTo(b.Low));
        var lows = new List<UInt128>(pairs.Count);
        var highs = new List<UInt128>(pairs.Count);
        foreach (var (low, high) in pairs)
        {
            int last = highs.Count - 1;
            // Merge overlapping and adjacent ranges; the Max check avoids overflow of high + 1.
            if (last >= 0 && (highs[last] == max || low <= highs[last] + 1))
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
        return new(max, [.. lows], [.. highs]);
    }
}
