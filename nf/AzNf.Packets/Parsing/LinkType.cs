namespace AzNf.Packets.Parsing;

/// <summary>Link-layer header types (tcpdump.org LINKTYPE_ values) that AzNf decodes.</summary>
public enum LinkType : ushort
{
    /// <summary>BSD loopback: a 4-byte address family in the capturing host's byte order.</summary>
    Null = 0,
    Ethernet = 1,
    /// <summary>DLT_RAW as some platforms number it in pcap headers.</summary>
    RawAlt12 = 12,
    RawAlt14 = 14,
    Raw = 101,
    /// <summary>Linux cooked capture v1 (16-byte header).</summary>
    LinuxSll = 113,
    /// <summary>OpenBSD loopback: a 4-byte address family in network byte order.</summary>
    Loop = 108,
    IPv4 = 228,
    IPv6 = 229,
    /// <summary>Linux cooked capture v2 (20-byte header).</summary>
    LinuxSll2 = 276,
}
