namespace AzNf.Packets.Parsing;

/// <summary>
/// What the parser learned about one frame: offsets into the captured bytes and decoded header
/// fields. A plain struct so that parsing allocates nothing; the bytes stay in the caller's span.
/// </summary>
public struct ParsedPacket
{
    /// <summary>4 or 6; 0 when the frame is not IP (e.g. ARP).</summary>
    public byte IpVersion;
    /// <summary>The transport protocol after any IPv6 extension headers.</summary>
    public byte Protocol;
    public byte Ttl;
    public TcpFlags TcpFlags;
    public byte IcmpType;
    public byte IcmpCode;
    /// <summary>True for any IPv4 fragment or IPv6 packet with a fragment header.</summary>
    public bool IsFragment;
    /// <summary>True when a fragment is not the first one: it carries no transport header.</summary>
    public bool IsLaterFragment;
    /// <summary>True when the IP length says more bytes than were captured (snaplen).</summary>
    public bool IsCaptureTruncated;
    public ushort SourcePort;
    public ushort DestinationPort;
    /// <summary>ICMP/ICMPv6 echo identifier (0 for other ICMP types).</summary>
    public ushort IcmpId;
    public ushort TcpWindow;
    public uint TcpSequence;
    public uint TcpAcknowledgment;
    public NetAddress Source;
    public NetAddress Destination;
    public int NetworkOffset;
    public int TransportOffset;
    public int PayloadOffset;
    public int PayloadLength;
    /// <summary>The link type the frame was parsed as (where <see cref="NetworkOffset"/>'s header comes from).</summary>
    public LinkType LinkType;

    public readonly bool IsTcp => Protocol == IpProtocol.Tcp && IpVersion != 0;
    public readonly bool IsUdp => Protocol == IpProtocol.Udp && IpVersion != 0;
    public readonly bool IsIcmp => (Protocol == IpProtocol.Icmp || Protocol == IpProtocol.IcmpV6) && IpVersion != 0;

    /// <summary>True when the transport header was decoded (not a later fragment).</summary>
    public readonly bool HasTransport => TransportOffset > 0;
}
