namespace AzNf.Packets.Parsing;

/// <summary>IANA protocol numbers the parser and the NFs name.</summary>
public static class IpProtocol
{
    public const byte Icmp = 1;
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte IcmpV6 = 58;

    /// <summary>The lower-case name Suricata and this project print: tcp, udp, icmp, ipv6-icmp, or proto-N.</summary>
    public static string Name(byte protocol) => protocol switch
    {
        Tcp => "tcp",
        Udp => "udp",
        Icmp => "icmp",
        IcmpV6 => "ipv6-icmp",
        _ => NumberedNames[protocol],
    };

    private static readonly string[] NumberedNames = Enumerable.Range(0, 256).Select(i => "proto-" + i).ToArray();
}

/// <summary>TCP header flags (RFC 9293 §3.1, plus ECE/CWR from RFC 3168).</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
}
