namespace AzNf.NetworkFunctions.Firewall;

/// <summary>What to do with a packet that fits no tracked connection (conntrack INVALID).</summary>
public enum InvalidPacketPolicy : byte
{
    /// <summary>Drop it before the rules, as <c>-m conntrack --ctstate INVALID -j DROP</c> first would.</summary>
    Drop = 0,
    /// <summary>Let the rules decide; only rules without a state clause or with <c>state invalid</c> match it.</summary>
    Rules = 1,
}
