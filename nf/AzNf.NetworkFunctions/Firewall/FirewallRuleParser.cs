using System.Globalization;
using AzNf.NetworkFunctions.Rules;
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
    // docs/firewall.md: a top-level "!x" is every address outside x (IPv6 included), and a CIDR
    // with host bits set is a typo worth stopping for; the rest is Suricata's syntax.

    private readonly AddressPortParser _expressions = new(variables, AddressPortSyntax.Firewall);

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
            var other => throw new FormatException($"unknown action '{QuotedText.Of(other)}' (expected allow or deny)"),
        };
        int protocol = ParseProtocol(Next(tokens, ref i, "protocol"));

        Expect(tokens, ref i, "from");
        var source = _expressions.ParseAddresses(Next(tokens, ref i, "source address"));
        PortSet? sourcePorts = TryKeyword(tokens, ref i, "port") ? ParsePortClause(Next(tokens, ref i, "source port"), protocol) : null;

        Expect(tokens, ref i, "to");
        var destination = _expressions.ParseAddresses(Next(tokens, ref i, "destination address"));
        PortSet? destinationPorts = TryKeyword(tokens, ref i, "port") ? ParsePortClause(Next(tokens, ref i, "destination port"), protocol) : null;

        var states = ConnectionMatch.Any;
        if (TryKeyword(tokens, ref i, "state"))
        {
            states = ParseStates(Next(tokens, ref i, "state list"));
        }
        if (i < tokens.Count)
        {
            throw new FormatException($"unexpected '{QuotedText.Of(tokens[i])}' after the rule");
        }
        if (source.IsEmpty || destination.IsEmpty)
        {
            throw new FormatException($"{(source.IsEmpty ? "source" : "destination")} address matches nothing");
        }
        rule = new FirewallRule(lineNumber, action, protocol, source, sourcePorts, destination, destinationPorts, states, text);
        return true;
    }

    private PortSet ParsePortClause(string text, int protocol)
    {
        if (protocol is not (IpProtocol.Tcp or IpProtocol.Udp))
        {
            throw new FormatException("ports need protocol tcp or udp");
        }
        var ports = _expressions.ParsePorts(text);
        if (ports.IsEmpty)
        {
            throw new FormatException($"port expression '{QuotedText.Of(text)}' matches nothing");
        }
        return ports;
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
        _ => throw new FormatException($"unknown protocol '{QuotedText.Of(text)}' (tcp, udp, icmp, icmpv6, ip, any or 0-255)"),
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
                _ => throw new FormatException($"unknown state '{QuotedText.Of(name)}' (new, established, invalid)"),
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
            throw new FormatException($"expected '{keyword}', found '{QuotedText.Of(found)}'");
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
}
