namespace AzNf.NetworkFunctions.Rules;

/// <summary>
/// The two points where the firewall's documented address syntax (docs/firewall.md) and
/// Suricata's (docs/ids.md, checked against Suricata by the oracle tests) part ways. Everything
/// else — lists, <c>any</c>, variables, CIDRs, IPv4 and IPv6 kept apart, ports — is shared.
/// </summary>
public sealed record AddressPortSyntax
{
    /// <summary>
    /// Suricata (IDS): negation works per address family — a family with negations but no
    /// positives starts from that whole family, a family not mentioned stays empty, so
    /// <c>!10.0.0.0/8</c> holds no IPv6 address. Firewall: <c>!x</c> is every address, IPv4 or
    /// IPv6, outside <c>x</c>.
    /// </summary>
    public bool NegateWithinFamily { get; init; }

    /// <summary>
    /// Firewall: a CIDR with host bits set (<c>10.0.0.1/8</c>) is rejected with the network it
    /// probably meant. Suricata (IDS) silently clears the host bits and loads the rule.
    /// </summary>
    public bool RejectHostBits { get; init; }

    /// <summary>Suricata's reading, which the IDS follows.</summary>
    public static AddressPortSyntax Suricata { get; } = new() { NegateWithinFamily = true, RejectHostBits = false };

    /// <summary>The firewall's reading (docs/firewall.md), which the NAT's <c>inside</c> uses too.</summary>
    public static AddressPortSyntax Firewall { get; } = new() { NegateWithinFamily = false, RejectHostBits = true };
}
