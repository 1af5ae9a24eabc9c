using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Responses;

/// <summary>
/// Builds the packet a firewall or IPS answers a rejected packet with, as Linux's
/// <c>REJECT</c> and Suricata's <c>reject</c> do: a TCP reset for TCP (RFC 9293 §3.10.7.1), an
/// ICMP or ICMPv6 port-unreachable error carrying the start of the rejected datagram for
/// anything else (RFC 792 / RFC 1812 §4.3.2.3, RFC 4443 §3.1).
/// </summary>
/// <remarks>
/// The response keeps the rejected frame's link header (Ethernet addresses swapped when it goes
/// back to the sender; VLAN tags kept), so it can be written to a capture of the same link type.
/// No response is built where the RFCs forbid one: to a reset, to an ICMP error, to a non-first
/// fragment, to or from a multicast or broadcast address. Allocation-free: the caller gives the
/// buffer (<see cref="MaxLength"/> bytes are always enough).
/// </remarks>
public static class RejectPacket
{
    /// <summary>The longest link header a response copies; a frame with a longer one gets none.</summary>
    public const int MaxLinkHeader = 64;

    /// <summary>The longest response: a link header and an IPv6 minimum-MTU packet.</summary>
    public const int MaxLength = MaxLinkHeader + Ipv6MinimumMtu;

    private const int Ipv4ErrorLimit = 576;
    private const int Ipv6MinimumMtu = 1280;
    private const byte Ttl = 64;

    /// <summary>
    /// Writes into <paramref name="into"/> the response to <paramref name="frame"/> (parsed as
    /// <paramref name="packet"/>), addressed to its sender when <paramref name="toSource"/>, else
    /// to its receiver (a TCP reset in the sender's name; nothing for other protocols, since an
    /// ICMP error about a packet goes to whoever sent it). Returns the response's length, or 0
    /// when no response is sent.
    /// </summary>
    public static int Build(ReadOnlySpan<byte> frame, in ParsedPacket packet, bool toSource, Span<byte> into)
    {
        if (packet.IpVersion == 0 || packet.NetworkOffset > MaxLinkHeader || into.Length < MaxLength
            || packet.IsLaterFragment || !IsUnicast(packet.Source) || !IsUnicast(packet.Destination))
        {
            return 0;
        }
        if (packet.IsTcp)
        {
            return packet.HasTransport && (packet.TcpFlags & TcpFlags.Rst) == 0 ? Reset(frame, in packet, toSource, into) : 0;
        }
        return toSource && !IsIcmpError(in packet) ? Unreachable(frame, in packet, into) : 0;
    }

    private static int Reset(ReadOnlySpan<byte> frame, in ParsedPacket packet, bool toSource, Span<byte> into)
    {
        const int TcpHeader = 20;
        int ip = WriteLinkAndIp(frame, in packet, toSource, IpProtocol.Tcp, TcpHeader, into);
        bool v4 = packet.IpVersion == 4;
        var tcp = into.Slice(ip + (v4 ? 20 : 40), TcpHeader);
        tcp.Clear();
        bool hasAck = (packet.TcpFlags & TcpFlags.Ack) != 0;
        uint segmentLength = (uint)packet.PayloadLength
            + ((packet.TcpFlags & TcpFlags.Syn) != 0 ? 1u : 0)
            + ((packet.TcpFlags & TcpFlags.Fin) != 0 ? 1u : 0);
        uint sequence;
        uint acknowledgment = 0;
        var flags = TcpFlags.Rst;
        if (toSource)
        {
            BinaryPrimitives.WriteUInt16BigEndian(tcp, packet.DestinationPort);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], packet.SourcePort);
            // RFC 9293 §3.10.7.1: take the sequence from the segment's ACK; without one, sequence
            // 0 and acknowledge the whole segment, so the sender accepts the reset.
            sequence = hasAck ? packet.TcpAcknowledgment : 0;
            if (!hasAck)
            {
                acknowledgment = packet.TcpSequence + segmentLength;
                flags |= TcpFlags.Ack;
            }
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(tcp, packet.SourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], packet.DestinationPort);
            // In the sender's name: the next sequence the receiver expects from it.
            sequence = packet.TcpSequence + segmentLength;
            if (hasAck)
            {
                acknowledgment = packet.TcpAcknowledgment;
                flags |= TcpFlags.Ack;
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], acknowledgment);
        tcp[12] = TcpHeader / 4 << 4;
        tcp[13] = (byte)flags;
        var ipHeader = into[ip..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], InternetChecksum.Compute(tcp, InternetChecksum.PseudoHeaderSum(ipHeader, v4, IpProtocol.Tcp, TcpHeader)));
        return ip + (v4 ? 20 : 40) + TcpHeader;
    }

    private static int Unreachable(ReadOnlySpan<byte> frame, in ParsedPacket packet, Span<byte> into)
    {
        const int IcmpHeader = 8;
        bool v4 = packet.IpVersion == 4;
        int ipHeader = v4 ? 20 : 40;
        var datagram = Datagram(frame, in packet);
        int quoted = Math.Min(datagram.Length, (v4 ? Ipv4ErrorLimit : Ipv6MinimumMtu) - ipHeader - IcmpHeader);
        byte protocol = v4 ? IpProtocol.Icmp : IpProtocol.IcmpV6;
        int ip = WriteLinkAndIp(frame, in packet, toSource: true, protocol, IcmpHeader + quoted, into);
        var icmp = into.Slice(ip + ipHeader, IcmpHeader + quoted);
        icmp[..IcmpHeader].Clear();
        // Destination unreachable, port unreachable: ICMP type 3 code 3, ICMPv6 type 1 code 4.
        icmp[0] = v4 ? (byte)3 : (byte)1;
        icmp[1] = v4 ? (byte)3 : (byte)4;
        datagram[..quoted].CopyTo(icmp[IcmpHeader..]);
        uint pseudo = v4 ? 0 : InternetChecksum.PseudoHeaderSum(into[ip..], v4: false, IpProtocol.IcmpV6, icmp.Length);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp, pseudo));
        return ip + ipHeader + icmp.Length;
    }

    /// <summary>Copies the link header and writes a fresh IP header; returns where the IP header starts.</summary>
    private static int WriteLinkAndIp(ReadOnlySpan<byte> frame, in ParsedPacket packet, bool toSource, byte protocol, int transportLength, Span<byte> into)
    {
        int link = packet.NetworkOffset;
        frame[..link].CopyTo(into);
        if (toSource && packet.LinkType == LinkType.Ethernet)
        {
            frame[..6].CopyTo(into[6..]);
            frame.Slice(6, 6).CopyTo(into);
        }
        var source = frame[link..];
        var ip = into[link..];
        if (packet.IpVersion == 4)
        {
            ip[..20].Clear();
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + transportLength));
            BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);
            ip[8] = Ttl;
            ip[9] = protocol;
            source.Slice(toSource ? 16 : 12, 4).CopyTo(ip[12..]);
            source.Slice(toSource ? 12 : 16, 4).CopyTo(ip[16..]);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..20], 0));
        }
        else
        {
            ip[..8].Clear();
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)transportLength);
            ip[6] = protocol;
            ip[7] = Ttl;
            source.Slice(toSource ? 24 : 8, 16).CopyTo(ip[8..]);
            source.Slice(toSource ? 8 : 24, 16).CopyTo(ip[24..]);
        }
        return link;
    }

    /// <summary>The rejected IP datagram as captured, without link-layer padding.</summary>
    private static ReadOnlySpan<byte> Datagram(ReadOnlySpan<byte> frame, in ParsedPacket packet)
    {
        var ip = frame[packet.NetworkOffset..];
        int length = packet.IpVersion == 4
            ? BinaryPrimitives.ReadUInt16BigEndian(ip[2..])
            : 40 + BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        return ip[..Math.Min(length, ip.Length)];
    }

    private static bool IsIcmpError(in ParsedPacket packet) =>
        packet.Protocol == IpProtocol.Icmp ? packet.IcmpType is 3 or 4 or 5 or 11 or 12
        : packet.Protocol == IpProtocol.IcmpV6 && packet.IcmpType < 128;

    private static bool IsUnicast(NetAddress address)
    {
        if (address.IsIPv4)
        {
            uint value = address.IPv4Value;
            return value != 0 && value != 0xFFFF_FFFF && (value >> 28) != 0xE;
        }
        return (address.High >> 56) != 0xFF && (address.High | address.Low) != 0;
    }
}
