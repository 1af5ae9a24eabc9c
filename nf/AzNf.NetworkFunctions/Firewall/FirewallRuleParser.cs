using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// Parses firewall rule lines (docs/firewall.md) into <see cref="FirewallRule"/>s:
/// <c>allow|deny PROTO from ADDR [port PORTS] to ADDR [port PORTS] [state STATES]</c>.
/// Addresses and ports use Suricata's list syntax (<c>[a,b]</c>, <c>!x</c>, <c>$VAR</c>, <c>any</c>),
/// so the same variables serve the firewall and the IDS.
/// </summary>
public sealed class FirewallRuleParser(IReadOnlyDictionary<string, string> variables)
{
    /// <summary>Addresses: 128 bits, IPv4 held IPv4-mapped (::ffff:a.b.c.d) as <see cref="NetAddress"/> does.</summary>
    public static readonly UInt128 AddressMax = UInt128.MaxValue;

    public static readonly UInt128 PortMax = 65_535;

    // ::ffff:0:0/96, where IPv4 lives; an IPv6 CIDR such as ::/0 must not reach into it.
    private static readonly UInt128 MappedLow = new(0, 0x0000_FFFF_0000_0000UL);
    private static readonly UInt128 MappedHigh = new(0, 0x0000_FFFF_FFFF_FFFFUL);
    private static readonly RangeSet MappedBlock = RangeSet.Range(AddressMax, MappedLow, MappedHigh);

    // Variables may nest ($HOME_NET inside $ALL_NETS); a cycle stops here instead of recursing forever.
    private const int MaxVariableDepth = 16;

    private readonly IReadOnlyDictionary<string, string> _variables = variables;

    /// <summary>
    /// Parses one line. Returns false with <paramref name="rule"/> null for a blank or comment
    /// line; throws <see cref="FormatException"/> with the reason for a line that is not a rule.
    /// </summary>
    public bool TryParseLine(string line, int lineNumber, out FirewallRule? rule)
    {
        rule = null;
        int hash = line.IndexOf('#', StringComparison.Ordinal);
        string text = (hash >= 0 ? line[..hash] : line).Trim();
        if (text.Length == 0)
        {
            return false;
        }
        var tokens = Tokenize(text);
        int i = 0;

        var action = Next(tokens, ref i, "action") switch
        {
            "allow" => FirewallAction.Allow,
            "deny" => FirewallAction.Deny,
            var other => throw new FormatException($"unknown action '{other}' (expected allow or deny)"),
        };
        int protocol = ParseProtocol(Next(tokens, ref i, "protocol"));

        Expect(tokens, ref i, "from");
        var source = ParseAddress(Next(tokens, ref i, "source address"), 0);
        RangeSet? sourcePorts = TryKeyword(tokens, ref i, "port") ? ParsePortClause(Next(tokens, ref i, "source port"), protocol) : null;

        Expect(tokens, ref i, "to");
        var destination = ParseAddress(Next(tokens, ref i, "destination address"), 0);
        RangeSet? destinationPorts = TryKeyword(tokens, ref i, "port") ? ParsePortClause(Next(tokens, ref i, "destination port"), protocol) : null;

        var states = ConnectionMatch.Any;
        if (TryKeyword(tokens, ref i, "state"))
        {
            states = ParseStates(Next(tokens, ref i, "state list"));
        }
        if (i < tokens.Count)
        {
            throw new FormatException($"unexpected '{tokens[i]}' after the rule");
        }
        if (source.IsEmpty || destination.IsEmpty)
        {
            throw new FormatException($"{(source.IsEmpty ? "source" : "destination")} address matches nothing");
        }
        rule = new FirewallRule(lineNumber, action, protocol, source, sourcePorts, destination, destinationPorts, states, text);
        return true;
    }

    /// <summary>Parses an address expression: <c>any</c>, an IP or CIDR, <c>[list]</c>, <c>!expr</c>, <c>$VAR</c>.</summary>
    public RangeSet ParseAddress(string text, int depth)
    {
        if (text.StartsWith('!'))
        {
            return ParseAddress(text[1..], depth).Complement();
        }
        if (text.StartsWith('['))
        {
            return ParseList(text, depth, ParseAddress, AddressMax);
        }
        if (text.StartsWith('$'))
        {
            return ParseAddress(ResolveVariable(text, depth), depth + 1);
        }
        if (text == "any")
        {
            return RangeSet.All(AddressMax);
        }
        return ParseCidr(text);
    }

    /// <summary>Parses a port expression: <c>any</c>, <c>80</c>, <c>1024:</c>, <c>:1023</c>, <c>1:5</c>, <c>[list]</c>, <c>!expr</c>, <c>$VAR</c>.</summary>
    public RangeSet ParsePorts(string text, int depth)
    {
        if (text.StartsWith('!'))
        {
            return ParsePorts(text[1..], depth).Complement();
        }
        if (text.StartsWith('['))
        {
            return ParseList(text, depth, ParsePorts, PortMax);
        }
        if (text.StartsWith('$'))
        {
            return ParsePorts(ResolveVariable(text, depth), depth + 1);
        }
        if (text == "any")
        {
            return RangeSet.All(PortMax);
        }
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            ushort port = ParsePort(text);
            return RangeSet.Range(PortMax, port, port);
        }
        ushort low = colon == 0 ? (ushort)0 : ParsePort(text[..colon]);
        ushort high = colon == text.Length - 1 ? (ushort)65_535 : ParsePort(text[(colon + 1)..]);
        if (low > high)
        {
            throw new FormatException($"port range '{text}' runs backwards");
        }
        return RangeSet.Range(PortMax, low, high);
    }

    private RangeSet ParsePortClause(string text, int protocol)
    {
        if (protocol is not (IpProtocol.Tcp or IpProtocol.Udp))
        {
            throw new FormatException("ports need protocol tcp or udp");
        }
        var ports = ParsePorts(text, 0);
        if (ports.IsEmpty)
        {
            throw new FormatException($"port expression '{text}' matches nothing");
        }
        return ports;
    }

    /// <summary>
    /// A list is the union of its plain items minus the union of its negated items (<c>!x</c>);
    /// a list of negated items only means "anything but these" (Suricata's reading).
    /// </summary>
    private static RangeSet ParseList(string text, int depth, Func<string, int, RangeSet> parseItem, UInt128 max)
    {
        if (!text.EndsWith(']'))
        {
            throw new FormatException($"list '{text}' has no closing ']'");
        }
        var items = SplitTopLevel(text[1..^1]);
        if (items.Count == 0)
        {
            throw new FormatException("empty list '[]'");
        }
        var included = RangeSet.Empty(max);
        var excluded = RangeSet.Empty(max);
        bool anyIncluded = false;
        foreach (string item in items)
        {
            if (item.StartsWith('!'))
            {
                excluded = excluded.Union(parseItem(item[1..], depth));
            }
            else
            {
                included = included.Union(parseItem(item, depth));
                anyIncluded = true;
            }
        }
        return (anyIncluded ? included : RangeSet.All(max)).Except(excluded);
    }

    private string ResolveVariable(string text, int depth)
    {
        string name = text[1..];
        if (depth >= MaxVariableDepth)
        {
            throw new FormatException($"variable ${name} nests more than {MaxVariableDepth} deep (a cycle?)");
        }
        if (!_variables.TryGetValue(name, out string? value))
        {
            throw new FormatException($"unknown variable ${name}");
        }
        return value.Trim();
    }

    private static RangeSet ParseCidr(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? text : text[..slash];
        bool v6 = addressText.Contains(':', StringComparison.Ordinal);
        // IPAddress.TryParse also takes "10" or "10.1" (inet_aton forms) and "%scope"; a rule must
        // say exactly what it means, so only dotted quads and plain IPv6 text get through.
        if ((!v6 && !IsDottedQuad(addressText)) || addressText.Contains('%', StringComparison.Ordinal)
            || !IPAddress.TryParse(addressText, out var ip) || (ip.AddressFamily == AddressFamily.InterNetworkV6) != v6)
        {
            throw new FormatException($"'{text}' is not an address, CIDR, list, variable or 'any'");
        }
        int bits = v6 ? 128 : 32;
        int prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            throw new FormatException($"bad prefix length in '{text}' (0 to {bits})");
        }
        var address = FirewallRule.ToValue(NetAddress.FromIPAddress(ip));
        int hostBits = bits - prefix;
        UInt128 hostMask = HostMask(hostBits);
        if ((address & hostMask) != UInt128.Zero)
        {
            throw new FormatException($"'{text}' has host bits set (did you mean {Network(NetAddress.FromIPAddress(ip), prefix, v6)}?)");
        }
        var range = RangeSet.Range(AddressMax, address, address | hostMask);
        bool insideMapped = address >= MappedLow && (address | hostMask) <= MappedHigh;
        return v6 && !insideMapped ? range.Except(MappedBlock) : range;
    }

    private static string Network(NetAddress address, int prefix, bool v6)
    {
        int hostBits = (v6 ? 128 : 32) - prefix;
        UInt128 value = FirewallRule.ToValue(address) & ~HostMask(hostBits);
        var network = new NetAddress((ulong)(value >> 64), (ulong)value);
        return $"{network}/{prefix}";
    }

    // Shifts are taken modulo the width, so a /0 (128 host bits) needs its own case.
    private static UInt128 HostMask(int hostBits) =>
        hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    private static ushort ParsePort(string text)
    {
        if (text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) is var port && port <= 65_535)
        {
            return (ushort)port;
        }
        throw new FormatException($"'{text}' is not a port (0 to 65535)");
    }

    private static int ParseProtocol(string text) => text switch
    {
        "tcp" => IpProtocol.Tcp,
        "udp" => IpProtocol.Udp,
        "icmp" => IpProtocol.Icmp,
        "icmpv6" => IpProtocol.IcmpV6,
        "ip" or "any" => FirewallRule.AnyProtocol,
        _ when text.Length is > 0 and <= 3 && text.All(char.IsAsciiDigit) && int.Parse(text, CultureInfo.InvariantCulture) <= 255
            => int.Parse(text, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"unknown protocol '{text}' (tcp, udp, icmp, icmpv6, ip, any or 0-255)"),
    };

    private static ConnectionMatch ParseStates(string text)
    {
        var states = ConnectionMatch.None;
        foreach (string name in text.Split(','))
        {
            states |= name switch
            {
                "new" => ConnectionMatch.New,
                "established" => ConnectionMatch.Established,
                "invalid" => ConnectionMatch.Invalid,
                _ => throw new FormatException($"unknown state '{name}' (new, established, invalid)"),
            };
        }
        return states;
    }

    private static string Next(List<string> tokens, ref int i, string what)
    {
        if (i >= tokens.Count)
        {
            throw new FormatException($"missing {what}");
        }
        return tokens[i++];
    }

    private static void Expect(List<string> tokens, ref int i, string keyword)
    {
        string found = i < tokens.Count ? tokens[i] : "end of line";
        if (found != keyword)
        {
            throw new FormatException($"expected '{keyword}', found '{found}'");
        }
        i++;
    }

    private static bool TryKeyword(List<string> tokens, ref int i, string keyword)
    {
        if (i < tokens.Count && tokens[i] == keyword)
        {
            i++;
            return true;
        }
        return false;
    }

    /// <summary>Splits on whitespace, keeping bracketed lists (which may contain spaces) whole and space-free.</summary>
    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new System.Text.StringBuilder();
        int depth = 0;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                if (depth == 0 && current.Length > 0)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                }
                continue;
            }
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (depth < 0)
            {
                throw new FormatException("unbalanced ']'");
            }
            current.Append(c);
        }
        if (depth != 0)
        {
            throw new FormatException("unbalanced '['");
        }
        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
        return tokens;
    }

    private static List<string> SplitTopLevel(string text)
    {
        var items = new List<string>();
        if (text.Trim().Length == 0)
        {
            return items;
        }
        int depth = 0, start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || (text[i] == ',' && depth == 0))
            {
                string item = text[start..i].Trim();
                if (item.Length == 0)
                {
                    throw new FormatException($"empty item in list '[{text}]'");
                }
                items.Add(item);
                start = i + 1;
                continue;
            }
            depth += text[i] == '[' ? 1 : text[i] == ']' ? -1 : 0;
        }
        return items;
    }
}
