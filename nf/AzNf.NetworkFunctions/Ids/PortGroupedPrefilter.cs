using System.Collections.Concurrent;
using AzNf.NetworkFunctions.Rules;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Ids;

/// <summary>
/// The packet and stream prefilter, split by what a packet's header allows, as Suricata's
/// signature group heads split its rules: a rule can only match a packet its protocol and port
/// sets admit (<see cref="IdsRule.MatchesHeader"/>), so the patterns of rules written for port 445
/// need not be looked for in a web server's stream. Ports fall into classes within which every
/// rule's port sets agree, so a (protocol, source class, destination class) key fixes the rules a
/// packet can match; each key's matcher holds only their fast patterns.
/// </summary>
/// <remarks>
/// Matchers are built on first use, shared by all partitions, and shared between keys that admit
/// the same rules, so there are at most as many as distinct rule subsets the traffic shows (a
/// few on ET Open over web traffic). Dropping a rule here is safe only because every candidate is
/// checked with <see cref="IdsRule.MatchesHeader"/> on the same packet afterwards.
/// </remarks>
internal sealed class PortGroupedPrefilter
{
    private readonly IReadOnlyList<IdsRule> _rules;
    private readonly (byte[] Pattern, int Rule)[] _patterns;
    private readonly ushort[] _classOf;
    private readonly ushort[] _representative;
    private readonly ConcurrentDictionary<int, MultiPatternMatcher> _byKey = new();
    private readonly ConcurrentDictionary<string, MultiPatternMatcher> _bySubset = new(StringComparer.Ordinal);

    /// <param name="rules">The stage's rules, by index.</param>
    /// <param name="patterns">Each packet or stream rule's fast pattern with the rule's index.</param>
    public PortGroupedPrefilter(IReadOnlyList<IdsRule> rules, IReadOnlyList<(byte[] Pattern, int Rule)> patterns)
    {
        _rules = rules;
        _patterns = [.. patterns];
        _classOf = new ushort[65_536];
        // Refine one class of all ports by each distinct port set: ports stay together while
        // every set so far holds both or neither.
        var sets = new List<PortSet>();
        foreach (var (_, rule) in _patterns)
        {
            foreach (var set in new[] { rules[rule].SourcePorts, rules[rule].DestinationPorts })
            {
                if (!set.IsAny && !sets.Contains(set))
                {
                    sets.Add(set);
                }
            }
        }
        int classes = 1;
        foreach (var set in sets)
        {
            // next[2c + member]: the class a port of class c goes to, by its membership in the set.
            var next = new int[2 * classes];
            Array.Fill(next, -1);
            int count = 0;
            for (int port = 0; port < 65_536; port++)
            {
                int slot = (2 * _classOf[port]) + (set.Contains((ushort)port) ? 1 : 0);
                if (next[slot] < 0)
                {
                    next[slot] = count++;
                }
                _classOf[port] = (ushort)next[slot];
            }
            classes = count;
        }
        _representative = new ushort[classes];
        var seen = new bool[classes];
        for (int port = 0; port < 65_536; port++)
        {
            if (!seen[_classOf[port]])
            {
                seen[_classOf[port]] = true;
                _representative[_classOf[port]] = (ushort)port;
            }
        }
        Classes = classes;
    }

    // A prefilter over some of another's patterns: the other's port classes hold for them too
    // (every port set of theirs was among those that made the classes).
    private PortGroupedPrefilter(PortGroupedPrefilter whole, (byte[] Pattern, int Rule)[] patterns)
    {
        _rules = whole._rules;
        _patterns = patterns;
        _classOf = whole._classOf;
        _representative = whole._representative;
        Classes = whole.Classes;
    }

    /// <summary>A prefilter of the patterns of the rules <paramref name="keep"/> accepts, with these port classes (not worked out again).</summary>
    public PortGroupedPrefilter Subset(Func<IdsRule, bool> keep) => new(this, [.. _patterns.Where(p => keep(_rules[p.Rule]))]);

    /// <summary>Port classes the rules' port sets make.</summary>
    public int Classes { get; }

    /// <summary>Matchers built so far (distinct rule subsets the traffic needed).</summary>
    public int Matchers => _bySubset.Count;

    /// <summary>The key of the rules <paramref name="header"/> admits; equal keys, equal matchers.</summary>
    public int Key(in ParsedPacket header) =>
        (((ProtocolClass(header.Protocol) * Classes) + _classOf[header.SourcePort]) * Classes) + _classOf[header.DestinationPort];

    /// <summary>The matcher of <paramref name="key"/> (from <see cref="Key"/>), built on first use.</summary>
    public MultiPatternMatcher ForKey(int key) => _byKey.TryGetValue(key, out var matcher) ? matcher : Build(key);

    private MultiPatternMatcher Build(int key)
    {
        int destinationClass = key % Classes;
        int sourceClass = key / Classes % Classes;
        int protocolClass = key / Classes / Classes;
        ushort sp = _representative[sourceClass], dp = _representative[destinationClass];
        var admitted = _patterns.Where(p => Admits(_rules[p.Rule], protocolClass, sp, dp)).ToList();
        string subset = string.Join(',', admitted.Select(p => p.Rule));
        var matcher = _bySubset.GetOrAdd(subset, _ => new MultiPatternMatcher(admitted));
        return _byKey.GetOrAdd(key, matcher);
    }

    // The protocol and port part of IdsRule.MatchesHeader, for any packet of the class.
    private static bool Admits(IdsRule rule, int protocolClass, ushort sp, ushort dp)
    {
        bool protocol = rule.Protocol switch
        {
            0 => true,
            IpProtocol.Tcp => protocolClass == 0,
            IpProtocol.Udp => protocolClass == 1,
            IpProtocol.Icmp or IpProtocol.IcmpV6 => protocolClass == 2,
            _ => protocolClass == 3,
        };
        return protocol
            && ((rule.SourcePorts.Contains(sp) && rule.DestinationPorts.Contains(dp))
                || (rule.Bidirectional && rule.SourcePorts.Contains(dp) && rule.DestinationPorts.Contains(sp)));
    }

    private static int ProtocolClass(byte protocol) => protocol switch
    {
        IpProtocol.Tcp => 0,
        IpProtocol.Udp => 1,
        IpProtocol.Icmp or IpProtocol.IcmpV6 => 2,
        _ => 3,
    };
}
