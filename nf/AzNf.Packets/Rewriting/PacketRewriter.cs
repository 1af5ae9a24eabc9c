using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Rewriting;

/// <summary>
/// Changes an IPv4 packet's addresses, ports or ICMP echo identifier in place and keeps every
/// checksum right by adjusting it for the words that changed (RFC 1624), so the cost does not
/// depend on the payload and a frame cut by the capture's snap length is still rewritten
/// correctly. The <see cref="ParsedPacket"/> is updated with the bytes, so later stages see the
/// new header. Never throws on packet data: a change the frame cannot take returns false and
/// leaves it as it was.
/// </summary>
/// <remarks>
/// Checksums touched: the IPv4 header's (addresses); TCP's and UDP's (their pseudo-header holds
/// the addresses, their header the ports); ICMP's (the echo identifier; ICMPv4 has no
/// pseudo-header). A UDP checksum of 0 means "none" over IPv4 (RFC 768) and stays 0; a computed
/// 0 is sent as 0xFFFF. A later fragment carries no transport header: only its IP header changes
/// (the first fragment's transport checksum covers the whole datagram and is adjusted there).
/// </remarks>
public static class PacketRewriter
{
    private const int IPv4ChecksumOffset = 10;
    private const int IPv4SourceOffset = 12;
    private const int IPv4DestinationOffset = 16;
    private const int TcpChecksumOffset = 16;
    private const int UdpChecksumOffset = 6;
    private const int IcmpChecksumOffset = 2;
    private const int IcmpIdOffset = 4;

    /// <summary>Sets the IPv4 source address (and, when given, the source port or the ICMP echo id).</summary>
    public static bool TryTranslateSource(Span<byte> frame, ref ParsedPacket packet, NetAddress address, ushort port) =>
        TryTranslate(frame, ref packet, address, port, isSource: true);

    /// <summary>Sets the IPv4 destination address (and, when given, the destination port or the ICMP echo id).</summary>
    public static bool TryTranslateDestination(Span<byte> frame, ref ParsedPacket packet, NetAddress address, ushort port) =>
        TryTranslate(frame, ref packet, address, port, isSource: false);

    /// <summary>A checksum adjusted for one 16-bit word changing from <paramref name="oldWord"/> to <paramref name="newWord"/> (RFC 1624 eqn. 3).</summary>
    public static ushort Adjust(ushort checksum, ushort oldWord, ushort newWord)
    {
        uint sum = (uint)(ushort)~checksum + (ushort)~oldWord + newWord;
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static bool TryTranslate(Span<byte> frame, ref ParsedPacket packet, NetAddress address, ushort port, bool isSource)
    {
        if (!CanRewrite(frame, packet, address, port))
        {
            return false;
        }
        ushort oldPort = packet.IsIcmp ? packet.IcmpId : isSource ? packet.SourcePort : packet.DestinationPort;
        SetAddress(frame, ref packet, isSource ? IPv4SourceOffset : IPv4DestinationOffset, isSource ? packet.Source : packet.Destination, address);
        if (isSource)
        {
            packet.Source = address;
        }
        else
        {
            packet.Destination = address;
        }
        SetPort(frame, ref packet, isSource, oldPort, port);
        return true;
    }

    private static bool CanRewrite(ReadOnlySpan<byte> frame, in ParsedPacket packet, NetAddress address, ushort port)
    {
        if (packet.IpVersion != 4 || !address.IsIPv4 || packet.NetworkOffset + 20 > frame.Length)
        {
            return false;
        }
        if (!packet.HasTransport)
        {
            // Only the IP header changes; a port cannot be set without a transport header.
            return port == 0 || packet.IsLaterFragment;
        }
        int needed = packet.Protocol switch
        {
            IpProtocol.Tcp => TcpChecksumOffset + 2,
            IpProtocol.Udp => UdpChecksumOffset + 2,
            IpProtocol.Icmp => IcmpIdOffset + 2,
            _ => 0,
        };
        return packet.TransportOffset + needed <= frame.Length && (needed > 0 || port == 0);
    }

    private static void SetAddress(Span<byte> frame, ref ParsedPacket packet, int offset, NetAddress old, NetAddress address)
    {
        var ip = frame[packet.NetworkOffset..];
        uint oldValue = old.IPv4Value, newValue = address.IPv4Value;
        BinaryPrimitives.WriteUInt32BigEndian(ip[offset..], newValue);
        AdjustAt(ip, IPv4ChecksumOffset, oldValue, newValue);
        if (packet.HasTransport && packet.Protocol is IpProtocol.Tcp or IpProtocol.Udp)
        {
            AdjustTransport(frame, packet, TransportChecksumOffset(packet), oldValue, newValue);
        }
    }

    private static void SetPort(Span<byte> frame, ref ParsedPacket packet, bool isSource, ushort oldPort, ushort port)
    {
        if (!packet.HasTransport || port == 0 || port == oldPort)
        {
            return;
        }
        var transport = frame[packet.TransportOffset..];
        if (packet.IsIcmp)
        {
            BinaryPrimitives.WriteUInt16BigEndian(transport[IcmpIdOffset..], port);
            packet.IcmpId = port;
            AdjustTransport(frame, packet, IcmpChecksumOffset, oldPort, port);
            return;
        }
        BinaryPrimitives.WriteUInt16BigEndian(transport[(isSource ? 0 : 2)..], port);
        if (isSource)
        {
            packet.SourcePort = port;
        }
        else
        {
            packet.DestinationPort = port;
        }
        AdjustTransport(frame, packet, TransportChecksumOffset(packet), oldPort, port);
    }

    private static int TransportChecksumOffset(in ParsedPacket packet) => packet.Protocol switch
    {
        IpProtocol.Tcp => TcpChecksumOffset,
        IpProtocol.Udp => UdpChecksumOffset,
        IpProtocol.Icmp => IcmpChecksumOffset,
        _ => -1,
    };

    private static void AdjustTransport(Span<byte> frame, in ParsedPacket packet, int checksumOffset, uint oldValue, uint newValue)
    {
        if (checksumOffset < 0)
        {
            return;
        }
        var transport = frame[packet.TransportOffset..];
        if (packet.Protocol == IpProtocol.Udp)
        {
            ushort current = BinaryPrimitives.ReadUInt16BigEndian(transport[checksumOffset..]);
            if (current == 0)
            {
                return; // no checksum (RFC 768)
            }
            ushort adjusted = Adjust(Adjust(current, (ushort)(oldValue >> 16), (ushort)(newValue >> 16)), (ushort)oldValue, (ushort)newValue);
            BinaryPrimitives.WriteUInt16BigEndian(transport[checksumOffset..], adjusted == 0 ? (ushort)0xFFFF : adjusted);
            return;
        }
        AdjustAt(transport, checksumOffset, oldValue, newValue);
    }

    // A 32-bit value is two words; a 16-bit one has a zero high word, which changes nothing.
    private static void AdjustAt(Span<byte> header, int checksumOffset, uint oldValue, uint newValue)
    {
        ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(header[checksumOffset..]);
        checksum = Adjust(checksum, (ushort)(oldValue >> 16), (ushort)(newValue >> 16));
        checksum = Adjust(checksum, (ushort)oldValue, (ushort)newValue);
        BinaryPrimitives.WriteUInt16BigEndian(header[checksumOffset..], checksum);
    }
}
