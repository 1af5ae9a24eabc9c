using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// A set of IP addresses compiled from a rule's address field (CIDRs, lists, negation,
/// variables) into sorted, disjoint 128-bit intervals, so a lookup is one binary search.
/// IPv4 addresses live in their IPv4-mapped form, as <see cref="NetAddress"/> holds them.
/// </summary>
public sealed class AddressSet
{
    private readonly UInt128[] _starts;
    private readonly UInt128[] _ends;

    private AddressSet(List<(UInt128 Start, UInt128 End)> intervals)
    {
        _starts = intervals.Select(i => i.Start).ToArray();
        _ends = intervals.Select(i => i.End).ToArray();
        IsAny = _starts.Length == 1 && _starts[0] == UInt128.MinValue && _ends[0] == UInt128.MaxValue;
    }

    /// <summary>Every address; lets the header check skip the lookup.</summary>
    public static AddressSet Any { get; } = new([(UInt128.MinValue, UInt128.MaxValue)]);

    public bool IsAny { get; }

    /// <summary>Every IPv4 address (the IPv4-mapped block).</summary>
    internal static AddressSet AllIPv4 { get; } = new([(new UInt128(0, 0x0000_FFFF_0000_0000UL), new UInt128(0, 0x0000_FFFF_FFFF_FFFFUL))]);

    /// <summary>Every IPv6 address that is not IPv4-mapped.</summary>
    internal static AddressSet AllIPv6 { get; } = AllIPv4.Complement();

    public bool IsEmpty => _starts.Length == 0;

    public bool Contains(NetAddress address)
    {
        if (IsAny)
        {
            return true;
        }
        var value = new UInt128(address.High, address.Low);
        int lo = 0, hi = _starts.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (value < _starts[mid])
            {
                hi = mid - 1;
            }
            else if (value > _ends[mid])
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

    /// <summary>One address or CIDR block (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>, <c>1.2.3.4</c>).</summary>
    internal static bool TryParseCidr(string text, out AddressSet set)
    {
        set = Any;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        if (!NetAddress.TryParse(addressText, out var address) || addressText.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }
        int maxPrefix = address.IsIPv4 ? 32 : 128;
        int prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out prefix) || prefix < 0 || prefix > maxPrefix))
        {
            return false;
        }
        int hostBits = maxPrefix - prefix;
        var value = new UInt128(address.High, address.Low);
        UInt128 hostMask = hostBits == 0 ? UInt128.Zero : (UInt128.One << hostBits) - 1;
        set = new AddressSet([(value & ~hostMask, value | hostMask)]);
        return true;
    }

    internal static AddressSet Union(IEnumerable<AddressSet> sets)
    {
        var all = new List<(UInt128 Start, UInt128 End)>();
        foreach (var s in sets)
        {
            for (int i = 0; i < s._starts.Length; i++)
            {
                all.Add((s._starts[i], s._ends[i]));
            }
        }
        all.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(UInt128 Start, UInt128 End)>();
        foreach (var interval in all)
        {
            if (merged.Count > 0 && (merged[^1].End == UInt128.MaxValue || interval.Start <= merged[^1].End + 1))
            {
                var last = merged[^1];
                merged[^1] = (last.Start, interval.End > last.End ? interval.End : last.End);
            }
            else
            {
                merged.Add(interval);
            }
        }
        return new AddressSet(merged);
    }

    internal AddressSet Complement()
    {
        var result = new List<(UInt128 Start, UInt128 End)>();
        UInt128 next = UInt128.MinValue;
        bool done = false;
        for (int i = 0; i < _starts.Length; i++)
        {
            if (_starts[i] > next)
            {
                result.Add((next, _starts[i] - 1));
            }
            if (_ends[i] == UInt128.MaxValue)
            {
                done = true;
                break;
            }
            next = _ends[i] + 1;
        }
        if (!done)
        {
            result.Add((next, UInt128.MaxValue));
        }
        return new AddressSet(result);
    }

    internal AddressSet Intersect(AddressSet other) =>
        Union([Complement(), other.Complement()]).Complement();
}
