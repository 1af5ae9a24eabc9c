using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Rules;

/// <summary>
/// Parses Suricata-style address and port expressions — <c>any</c>, an address or CIDR (IPv4 or
/// IPv6), a port <c>80</c> or range <c>1024:</c> / <c>:1023</c> / <c>1:5</c>, a list <c>[a,b]</c>
/// (nestable, items may be <c>!x</c>), a negation <c>!x</c>, a variable <c>$NAME</c> (nestable) —
/// into compiled <see cref="AddressSet"/>s and <see cref="PortSet"/>s. Used at load time by every
/// rule parser; a bad expression throws <see cref="FormatException"/> naming what is wrong, and the
/// rule parser adds <c>file:line</c>. Equal expressions share one compiled set.
/// </summary>
public sealed class AddressPortParser(IReadOnlyDictionary<string, string> variables, AddressPortSyntax syntax)
{
    // Variables may nest ($HOME_NET inside $ALL_NETS) and lists may nest; a variable cycle stops
    // here instead of recursing forever. Counted over every level (variable, list, negation).
    private const int MaxDepth = 32;

    private readonly Dictionary<string, AddressSet> _addresses = [];
    private readonly Dictionary<string, PortSet> _ports = [];

    /// <summary>Parses an address expression; the result may be empty (<c>!any</c>): the caller decides.</summary>
    public AddressSet ParseAddresses(string text) =>
        Parse(text, 0, _addresses, AddressSet.Any, ParseCidr, CombineAddresses);

    /// <summary>Parses a port expression; the result may be empty (<c>!any</c>): the caller decides.</summary>
    public PortSet ParsePorts(string text) =>
        Parse(text, 0, _ports, PortSet.Any, ParsePortRange, CombinePorts);

    private T Parse<T>(
        string text, int depth, Dictionary<string, T> cache, T any,
        Func<string, T> parseLeaf, Func<List<T>, List<T>, T> combine)
        where T : class
    {
        text = text.Trim();
        if (cache.TryGetValue(text, out var cached))
        {
            return cached;
        }
        if (depth > MaxDepth)
        {
            throw new FormatException($"'{QuotedText.Of(text)}' nests more than {MaxDepth} levels deep (a cycle?)");
        }
        T result;
        if (text.StartsWith('!'))
        {
            result = combine([], [Parse(text[1..], depth + 1, cache, any, parseLeaf, combine)]);
        }
        else if (text.StartsWith('$'))
        {
            result = Parse(ResolveVariable(text[1..]), depth + 1, cache, any, parseLeaf, combine);
        }
        else if (text == "any")
        {
            result = any;
        }
        else if (text.StartsWith('['))
        {
            var included = new List<T>();
            var excluded = new List<T>();
            foreach (string item in SplitList(text))
            {
                if (item.StartsWith('!'))
                {
                    excluded.Add(Parse(item[1..], depth + 1, cache, any, parseLeaf, combine));
                }
                else
                {
                    included.Add(Parse(item, depth + 1, cache, any, parseLeaf, combine));
                }
            }
            result = combine(included, excluded);
        }
        else
        {
            result = parseLeaf(text);
        }
        cache[text] = result;
        return result;
    }

    /// <summary>
    /// A list is the union of its plain items minus the union of its negated items; with negated
    /// items only it means "anything but these". What "anything" is depends on
    /// <see cref="AddressPortSyntax.NegateWithinFamily"/>.
    /// </summary>
    private AddressSet CombineAddresses(List<AddressSet> included, List<AddressSet> excluded)
    {
        var positive = Union(AddressSet.Empty, included, static (a, b) => a.Union(b));
        var negative = Union(AddressSet.Empty, excluded, static (a, b) => a.Union(b));
        if (!syntax.NegateWithinFamily)
        {
            return (included.Count == 0 ? AddressSet.Any : positive).Except(negative);
        }
        var result = AddressSet.Empty;
        foreach (var family in (ReadOnlySpan<AddressSet>)[AddressSet.AllIPv4, AddressSet.AllIPv6])
        {
            var familyPositive = positive.Intersect(family);
            var familyNegative = negative.Intersect(family);
            if (familyPositive.IsEmpty && !familyNegative.IsEmpty)
            {
                familyPositive = family;
            }
            result = result.Union(familyPositive.Except(familyNegative));
        }
        return result;
    }

    private static PortSet CombinePorts(List<PortSet> included, List<PortSet> excluded)
    {
        var positive = included.Count == 0 ? PortSet.Any : Union(PortSet.Empty, included, static (a, b) => a.Union(b));
        return positive.Except(Union(PortSet.Empty, excluded, static (a, b) => a.Union(b)));
    }

    private static T Union<T>(T empty, List<T> sets, Func<T, T, T> union)
    {
        var result = empty;
        foreach (var set in sets)
        {
            result = union(result, set);
        }
        return result;
    }

    private string ResolveVariable(string name) =>
        variables.TryGetValue(name, out string? value)
            ? value
            : throw new FormatException($"undefined variable '${name}'");

    /// <summary>
    /// One address or CIDR. IPv4 and IPv6 stay apart: an IPv6 CIDR such as <c>::/0</c> does not
    /// reach into the IPv4-mapped block unless it lies inside it (<c>::ffff:10.0.0.0/104</c>).
    /// </summary>
    private AddressSet ParseCidr(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        bool v6 = addressText.Contains(':', StringComparison.Ordinal);
        // IPAddress.TryParse also takes "10" or "10.1" (inet_aton forms) and "%scope"; Suricata
        // rejects them (inet_pton), and a rule must say exactly what it means.
        if ((!v6 && !IsDottedQuad(addressText)) || addressText.Contains('%', StringComparison.Ordinal)
            || !IPAddress.TryParse(addressText, out var ip) || (ip.AddressFamily == AddressFamily.InterNetworkV6) != v6)
        {
            throw new FormatException($"'{QuotedText.Of(text)}' is not an address, CIDR, list, variable or 'any'");
        }
        int bits = v6 ? 128 : 32;
        int prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            throw new FormatException($"bad prefix length in '{QuotedText.Of(text)}' (0 to {bits})");
        }
        var address = AddressSet.ToValue(NetAddress.FromIPAddress(ip));
        UInt128 hostMask = HostMask(bits - prefix);
        if ((address & hostMask) != UInt128.Zero && syntax.RejectHostBits)
        {
            throw new FormatException($"'{QuotedText.Of(text)}' has host bits set (did you mean {AddressSet.ToAddress(address & ~hostMask)}/{prefix}?)");
        }
        UInt128 low = address & ~hostMask, high = address | hostMask;
        var range = AddressSet.Range(low, high);
        bool insideMapped = AddressSet.AllIPv4.Contains(low) && AddressSet.AllIPv4.Contains(high);
        return v6 && !insideMapped ? range.Except(AddressSet.AllIPv4) : range;
    }

    // Shifts are taken modulo the width, so a /0 (128 host bits) needs its own case.
    private static UInt128 HostMask(int hostBits) =>
        hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    private static PortSet ParsePortRange(string text)
    {
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            ushort port = ParsePort(text);
            return PortSet.Range(port, port);
        }
        ushort low = colon == 0 ? (ushort)0 : ParsePort(text[..colon]);
        ushort high = colon == text.Length - 1 ? (ushort)65_535 : ParsePort(text[(colon + 1)..]);
        if (low > high)
        {
            throw new FormatException($"port range '{QuotedText.Of(text)}' runs backwards");
        }
        return PortSet.Range(low, high);
    }

    private static ushort ParsePort(string text)
    {
        if (text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) is var port && port <= 65_535)
        {
            return (ushort)port;
        }
        throw new FormatException($"'{QuotedText.Of(text)}' is not a port (0 to 65535)");
    }

    /// <summary>Splits <c>[a, b, [c, d]]</c> into its top-level items, trimmed.</summary>
    private static List<string> SplitList(string text)
    {
        if (!text.EndsWith(']'))
        {
            throw new FormatException($"list '{QuotedText.Of(text)}' has no closing ']'");
        }
        string body = text[1..^1];
        if (body.Trim().Length == 0)
        {
            throw new FormatException("empty list '[]'");
        }
        var items = new List<string>();
        int level = 0, start = 0;
        for (int i = 0; i <= body.Length; i++)
        {
            if (i == body.Length || (body[i] == ',' && level == 0))
            {
                string item = body[start..i].Trim();
                if (item.Length == 0)
                {
                    throw new FormatException($"empty item in list '{QuotedText.Of(text)}'");
                }
                items.Add(item);
                start = i + 1;
                continue;
            }
            level += body[i] == '[' ? 1 : body[i] == ']' ? -1 : 0;
            if (level < 0)
            {
                throw new FormatException($"unbalanced ']' in list '{QuotedText.Of(text)}'");
            }
        }
        if (level != 0)
        {
            throw new FormatException($"unbalanced '[' in list '{QuotedText.Of(text)}'");
        }
        return items;
    }
}
