using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace AzNf.Packets.Parsing;

/// <summary>
/// Decodes link, network and transport headers of one captured frame. Never throws and never
/// allocates: short or inconsistent input returns a <see cref="MalformedReason"/>.
/// </summary>
public static class PacketParser
{
    private const int EthernetHeaderLength = 14;
    private const int VlanTagLength = 4;
    private const int MaxVlanTags = 4;
    private const int SllHeaderLength = 16;
    private const int Sll2HeaderLength = 20;
    private const int NullHeaderLength = 4;
    private const int IPv4MinHeaderLength = 20;
    private const int IPv6HeaderLength = 40;
    private const int MaxIPv6ExtensionHeaders = 8;
    private const int TcpMinHeaderLength = 20;
    private const int UdpHeaderLength = 8;
    private const int IcmpHeaderLength = 8;

    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQLegacy = 0x9100;

    /// <summary>Parses <paramref name="frame"/> captured with <paramref name="linkType"/>.</summary>
    public static MalformedReason Parse(LinkType linkType, ReadOnlySpan<byte> frame, out ParsedPacket packet)
    {
        packet = default;
        packet.LinkType = linkType;
        int offset;
        ushort etherType;
        switch (linkType)
        {
            case LinkType.Ethernet:
                if (!TryReadEthernet(frame, out offset, out etherType, out var reason))
                {
                    return reason;
                }
                break;
            case LinkType.Raw or LinkType.RawAlt12 or LinkType.RawAlt14:
                return ParseIp(frame, 0, ref packet);
            case LinkType.IPv4:
                return ParseIPv4(frame, 0, ref packet);
            case LinkType.IPv6:
                return ParseIPv6(frame, 0, ref packet);
            case LinkType.LinuxSll:
                if (frame.Length < SllHeaderLength)
                {
                    return MalformedReason.LinkTruncated;
                }
                offset = SllHeaderLength;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
                if (!TrySkipVlanTags(frame, ref offset, ref etherType, out var sllReason))
                {
                    return sllReason;
                }
                break;
            case LinkType.LinuxSll2:
                if (frame.Length < Sll2HeaderLength)
                {
                    return MalformedReason.LinkTruncated;
                }
                offset = Sll2HeaderLength;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame);
                if (!TrySkipVlanTags(frame, ref offset, ref etherType, out var sll2Reason))
                {
                    return sll2Reason;
                }
                break;
            case LinkType.Null or LinkType.Loop:
                if (frame.Length < NullHeaderLength)
                {
                    return MalformedReason.LinkTruncated;
                }
                offset = NullHeaderLength;
                etherType = NullFamilyToEtherType(linkType, frame);
                break;
            default:
                return MalformedReason.LinkUnsupported;
        }

        return etherType switch
        {
            EtherTypeIPv4 => ParseIPv4(frame, offset, ref packet),
            EtherTypeIPv6 => ParseIPv6(frame, offset, ref packet),
            _ => MalformedReason.NotIp,
        };
    }

    private static bool TryReadEthernet(ReadOnlySpan<byte> frame, out int offset, out ushort etherType, out MalformedReason reason)
    {
        offset = EthernetHeaderLength;
        etherType = 0;
        if (frame.Length < EthernetHeaderLength)
        {
            reason = MalformedReason.LinkTruncated;
            return false;
        }
        etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        return TrySkipVlanTags(frame, ref offset, ref etherType, out reason);
    }

    // 802.1Q / 802.1ad tags: after each tag protocol id come the 2-byte tag control and the
    // next EtherType. Linux cooked captures keep tags the NIC did not strip, so SLL and SLL2
    // walk them too.
    private static bool TrySkipVlanTags(ReadOnlySpan<byte> frame, ref int offset, ref ushort etherType, out MalformedReason reason)
    {
        int tags = 0;
        while (etherType is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQLegacy)
        {
            if (++tags > MaxVlanTags)
            {
                reason = MalformedReason.VlanTooDeep;
                return false;
            }
            if (frame.Length < offset + VlanTagLength)
            {
                reason = MalformedReason.LinkTruncated;
                return false;
            }
            etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[(offset + 2)..]);
            offset += VlanTagLength;
        }
        reason = MalformedReason.None;
        return true;
    }

    // BSD loopback writes the address family in the capturing host's byte order (LINKTYPE_NULL)
    // or in network order (LINKTYPE_LOOP); AF_INET6 differs per OS (10 Linux, 24 NetBSD/OpenBSD,
    // 28 FreeBSD, 30 macOS).
    private static ushort NullFamilyToEtherType(LinkType linkType, ReadOnlySpan<byte> frame)
    {
        uint family = BinaryPrimitives.ReadUInt32BigEndian(frame);
        if (linkType == LinkType.Null && (family & 0xFFFF) == 0)
        {
            family = BinaryPrimitives.ReverseEndianness(family);
        }
        return family switch
        {
            2 => EtherTypeIPv4,
            10 or 24 or 28 or 30 => EtherTypeIPv6,
            _ => 0,
        };
    }

    private static MalformedReason ParseIp(ReadOnlySpan<byte> frame, int offset, ref ParsedPacket packet)
    {
        if (frame.Length <= offset)
        {
            // Not even a version nibble: neither family can be named, so blame the frame.
            return MalformedReason.LinkTruncated;
        }
        return (frame[offset] >> 4) switch
        {
            4 => ParseIPv4(frame, offset, ref packet),
            6 => ParseIPv6(frame, offset, ref packet),
            _ => MalformedReason.IpBadVersion,
        };
    }

    private static MalformedReason ParseIPv4(ReadOnlySpan<byte> frame, int offset, ref ParsedPacket packet)
    {
        var ip = frame[offset..];
        if (ip.Length < IPv4MinHeaderLength)
        {
            return MalformedReason.IPv4Truncated;
        }
        if (ip[0] >> 4 != 4)
        {
            return MalformedReason.IpBadVersion;
        }
        int headerLength = (ip[0] & 0x0F) * 4;
        if (headerLength < IPv4MinHeaderLength)
        {
            return MalformedReason.IPv4BadIhl;
        }
        if (ip.Length < headerLength)
        {
            return MalformedReason.IPv4Truncated;
        }
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (totalLength < headerLength)
        {
            return MalformedReason.IPv4BadTotalLength;
        }
        if (!OptionsAreWellFormed(ip[IPv4MinHeaderLength..headerLength]))
        {
            return MalformedReason.IPv4BadOption;
        }

        packet.IpVersion = 4;
        packet.NetworkOffset = offset;
        packet.Ttl = ip[8];
        packet.Protocol = ip[9];
        packet.Source = NetAddress.ReadIPv4(ip[12..]);
        packet.Destination = NetAddress.ReadIPv4(ip[16..]);
        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        bool moreFragments = (fragment & 0x2000) != 0;
        int fragmentOffset = fragment & 0x1FFF;
        packet.IsFragment = moreFragments || fragmentOffset != 0;
        packet.IsLaterFragment = fragmentOffset != 0;

        // Ethernet pads short frames: trust the IP total length, not the frame length.
        int available = ClipToCaptured(ip.Length, totalLength, ref packet);
        return ParseTransport(frame, offset + headerLength, offset + available, ref packet);
    }

    private static bool OptionsAreWellFormed(ReadOnlySpan<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte kind = options[i];
            if (kind == 0)
            {
                return true; // end of option list; the rest is padding
            }
            if (kind == 1)
            {
                i++;
                continue;
            }
            if (i + 1 >= options.Length || options[i + 1] < 2 || i + options[i + 1] > options.Length)
            {
                return false;
            }
            i += options[i + 1];
        }
        return true;
    }

    private static MalformedReason ParseIPv6(ReadOnlySpan<byte> frame, int offset, ref ParsedPacket packet)
    {
        var ip = frame[offset..];
        if (ip.Length < IPv6HeaderLength)
        {
            return MalformedReason.IPv6Truncated;
        }
        if (ip[0] >> 4 != 6)
        {
            return MalformedReason.IpBadVersion;
        }
        packet.IpVersion = 6;
        packet.NetworkOffset = offset;
        packet.Ttl = ip[7];
        packet.Source = NetAddress.ReadIPv6(ip[8..]);
        packet.Destination = NetAddress.ReadIPv6(ip[24..]);
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        int available = ClipToCaptured(ip.Length, IPv6HeaderLength + payloadLength, ref packet);
        var datagram = ip[..available];

        byte next = ip[6];
        int position = IPv6HeaderLength;
        for (int walked = 0; ; walked++)
        {
            if (!IsIPv6ExtensionHeader(next))
            {
                packet.Protocol = next;
                break;
            }
            if (walked == MaxIPv6ExtensionHeaders)
            {
                return MalformedReason.IPv6TooManyExtensions;
            }
            if (datagram.Length < position + 8)
            {
                return MalformedReason.IPv6ExtensionTruncated;
            }
            int length = next switch
            {
                44 => 8, // fragment header has a fixed size
                51 => (datagram[position + 1] + 2) * 4, // AH counts 4-byte units (RFC 4302 §2.2)
                _ => (datagram[position + 1] + 1) * 8,
            };
            if (datagram.Length < position + length)
            {
                return MalformedReason.IPv6ExtensionTruncated;
            }
            bool laterFragment = false;
            if (next == 44)
            {
                ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(datagram[(position + 2)..]);
                packet.IsFragment = true;
                laterFragment = (fragment & 0xFFF8) != 0;
                packet.IsLaterFragment = laterFragment;
            }
            next = datagram[position];
            position += length;
            if (laterFragment)
            {
                // RFC 8200 §4.5: a non-first fragment carries only fragment data; the fragment
                // header's Next Header names the first header of the fragmentable part, which
                // is in the first fragment, so nothing after this header can be walked.
                packet.Protocol = next;
                break;
            }
        }
        return ParseTransport(frame, offset + position, offset + available, ref packet);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIPv6ExtensionHeader(byte next) => next is 0 or 43 or 44 or 51 or 60 or 135 or 139 or 140;

    private static int ClipToCaptured(int captured, int declared, ref ParsedPacket packet)
    {
        if (declared > captured)
        {
            packet.IsCaptureTruncated = true;
            return captured;
        }
        return declared;
    }

    private static MalformedReason ParseTransport(ReadOnlySpan<byte> frame, int start, int end, ref ParsedPacket packet)
    {
        if (packet.IsLaterFragment)
        {
            packet.PayloadOffset = start;
            packet.PayloadLength = end - start;
            return MalformedReason.None;
        }
        var l4 = frame[start..end];
        switch (packet.Protocol)
        {
            case IpProtocol.Tcp:
                {
                    if (l4.Length < TcpMinHeaderLength)
                    {
                        return MalformedReason.TcpTruncated;
                    }
                    int dataOffset = (l4[12] >> 4) * 4;
                    if (dataOffset < TcpMinHeaderLength)
                    {
                        return MalformedReason.TcpBadDataOffset;
                    }
                    if (l4.Length < dataOffset)
                    {
                        // Short because the capture was cut (snaplen) or the header straddles a
                        // fragment boundary: truncated. The whole datagram is here and still too
                        // short: the data offset is a lie.
                        return packet.IsCaptureTruncated || packet.IsFragment ? MalformedReason.TcpTruncated : MalformedReason.TcpBadDataOffset;
                    }
                    packet.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    packet.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                    packet.TcpSequence = BinaryPrimitives.ReadUInt32BigEndian(l4[4..]);
                    packet.TcpAcknowledgment = BinaryPrimitives.ReadUInt32BigEndian(l4[8..]);
                    packet.TcpFlags = (TcpFlags)l4[13];
                    packet.TcpWindow = BinaryPrimitives.ReadUInt16BigEndian(l4[14..]);
                    return SetTransport(start, dataOffset, end, ref packet);
                }
            case IpProtocol.Udp:
                {
                    if (l4.Length < UdpHeaderLength)
                    {
                        return MalformedReason.UdpTruncated;
                    }
                    int udpLength = BinaryPrimitives.ReadUInt16BigEndian(l4[4..]);
                    // RFC 768: the length covers header and data, so it is at least 8 and, unless
                    // the capture was cut or this is a first fragment, fits in the IP payload.
                    if (udpLength < UdpHeaderLength || (udpLength > l4.Length && !packet.IsCaptureTruncated && !packet.IsFragment))
                    {
                        return MalformedReason.UdpBadLength;
                    }
                    packet.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(l4);
                    packet.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
                    return SetTransport(start, UdpHeaderLength, Math.Min(end, start + udpLength), ref packet);
                }
            case IpProtocol.Icmp or IpProtocol.IcmpV6:
                {
                    if (l4.Length < IcmpHeaderLength)
                    {
                        return packet.Protocol == IpProtocol.Icmp ? MalformedReason.IcmpTruncated : MalformedReason.IcmpV6Truncated;
                    }
                    packet.IcmpType = l4[0];
                    packet.IcmpCode = l4[1];
                    if (IsIcmpEcho(packet.Protocol, packet.IcmpType))
                    {
                        packet.IcmpId = BinaryPrimitives.ReadUInt16BigEndian(l4[4..]);
                    }
                    return SetTransport(start, IcmpHeaderLength, end, ref packet);
                }
            default:
                packet.TransportOffset = 0;
                packet.PayloadOffset = start;
                packet.PayloadLength = end - start;
                return MalformedReason.None;
        }
    }

    /// <summary>Echo request/reply: the types whose identifier names a conversation.</summary>
    public static bool IsIcmpEcho(byte protocol, byte type) =>
        protocol == IpProtocol.Icmp ? type is 0 or 8 : type is 128 or 129;

    private static MalformedReason SetTransport(int start, int headerLength, int end, ref ParsedPacket packet)
    {
        packet.TransportOffset = start;
        packet.PayloadOffset = start + headerLength;
        packet.PayloadLength = Math.Max(0, end - packet.PayloadOffset);
        return MalformedReason.None;
    }
}
