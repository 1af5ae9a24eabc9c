using System.Runtime.CompilerServices;
using AzNf.NetworkFunctions.Rules;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// One compiled rule: every list, negation and variable already folded into address and port
/// sets, so a match is a protocol compare, up to two binary searches, two port bit tests and a
/// state bit test. Fields that
/// match anything are flagged so they cost nothing.
/// </summary>
public sealed class FirewallRule
{
    /// <summary>Matches every protocol (<c>ip</c> / <c>any</c>).</summary>
    public const int AnyProtocol = -1;

    public FirewallRule(
        int line, FirewallAction action, int protocol,
        AddressSet source, PortSet? sourcePorts, AddressSet destination, PortSet? destinationPorts,
        ConnectionMatch states, string text)
    {
        Line = line;
        Action = action;
        Protocol = protocol;
        Source = source;
        SourcePorts = sourcePorts;
        Destination = destination;
        DestinationPorts = destinationPorts;
        States = states;
        Text = text;
        DropReason = "firewall:rule:" + line;
        _anySource = source.IsAny;
        _anyDestination = destination.IsAny;
        _needsPorts = sourcePorts is not null || destinationPorts is not null;
    }

    private readonly bool _anySource;
    private readonly bool _anyDestination;
    private readonly bool _needsPorts;

    /// <summary>1-based line in the rule file; names the rule in drop reasons and counters.</summary>
    public int Line { get; }

    public FirewallAction Action { get; }

    /// <summary>IP protocol number, or <see cref="AnyProtocol"/>.</summary>
    public int Protocol { get; }

    public AddressSet Source { get; }

    /// <summary>Null when the rule names no source port (any, including none).</summary>
    public PortSet? SourcePorts { get; }

    public AddressSet Destination { get; }

    /// <summary>Null when the rule names no destination port (any, including none).</summary>
    public PortSet? DestinationPorts { get; }

    public ConnectionMatch States { get; }

    /// <summary>The rule as written (comment stripped), for reports.</summary>
    public string Text { get; }

    /// <summary>The precomputed verdict reason, e.g. <c>firewall:rule:12</c>.</summary>
    public string DropReason { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Matches(in ParsedPacket packet, ConnectionMatch state)
    {
        if ((States & state) == 0 || (Protocol != AnyProtocol && Protocol != packet.Protocol))
        {
            return false;
        }
        if (!_anySource && !Source.Contains(ToValue(packet.Source)))
        {
            return false;
        }
        if (!_anyDestination && !Destination.Contains(ToValue(packet.Destination)))
        {
            return false;
        }
        return !_needsPorts || PortsMatch(packet);
    }

    private bool PortsMatch(in ParsedPacket packet)
    {
        // A port rule is only ever tcp or udp; a later fragment has no ports and never matches it.
        if (!packet.HasTransport || packet.IsLaterFragment)
        {
            return false;
        }
        return (SourcePorts is null || SourcePorts.Contains(packet.SourcePort))
            && (DestinationPorts is null || DestinationPorts.Contains(packet.DestinationPort));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static UInt128 ToValue(NetAddress address) => AddressSet.ToValue(address);

    public override string ToString() => $"line {Line}: {Text}";
}
