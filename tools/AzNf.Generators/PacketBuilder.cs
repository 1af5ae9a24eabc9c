using System.Buffers.Binary;
using AzNf.Packets.Parsing;

namespace AzNf.Generators;

/// <summary>
/// Builds well-formed Ethernet frames (IPv4 or IPv6, picked from the addresses) with correct
/// checksums, for <c>aznf gen</c> and for tests. Not on any hot path.
/// </summary>
public static class PacketBuilder
{
    private static readonly byte[] SourceMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
    private static readonly byte[] DestinationMac = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

    public static byte[] Tcp(
        NetAddress source, ushort sourcePort, NetAddress destination, ushort destinationPort,
        TcpFlags flags, uint sequence, uint acknowledgment, ReadOnlySpan<byte> payload = default, ushort window = 64240)
    {
        var segment = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), acknowledgment);
        segment[12] = 5 << 4;
        segment[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), window);
        payload.CopyTo(segment.AsSpan(20));
        return Ip(source, destination, IpProtocol.Tcp, segment, checksumOffset: 16);
    }

    public static byte[] Udp(NetAddress source, ushort sourcePort, NetAddress destination, ushort destinationPort, ReadOnlySpan<byte> payload = default)
    {
        var datagram = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)datagram.Length);
        payload.CopyTo(datagram.AsSpan(8));
        return Ip(source, destination, IpProtocol.Udp, datagram, checksumOffset: 6);
    }

    /// <summary>An ICMP (IPv4) or ICMPv6 echo request or reply.</summary>
    public static byte[] IcmpEcho(NetAddress source, NetAddress destination, bool request, ushort id, ushort sequence, ReadOnlySpan<byte> payload = default)
    {
        bool v4 = source.IsIPv4;
        var message = new byte[8 + payload.Length];
        message[0] = v4 ? (byte)(request ? 8 : 0) : (byte)(request ? 128 : 129);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), sequence);
        payload.CopyTo(message.AsSpan(8));
        return Ip(source, destination, v4 ? IpProtocol.Icmp : IpProtocol.IcmpV6, message, checksumOffset: 2);
    }

    /// <summary>
    /// Cuts an Ethernet/IPv4 frame's IP payload into fragments of <paramref name="size"/> bytes (a
    /// multiple of 8), each a frame with the same IP header but its own offset, MF flag, length
    /// and checksum, sharing <paramref name="id"/>.
    /// </summary>
    public static List<byte[]> FragmentIPv4(byte[] frame, int size, ushort id)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (size <= 0 || size % 8 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "fragment size must be a positive multiple of 8");
        }
        int ihl = (frame[14] & 0x0F) * 4;
        var payload = frame.AsSpan(14 + ihl);
        var fragments = new List<byte[]>();
        for (int offset = 0; offset < payload.Length; offset += size)
        {
            int length = Math.Min(size, payload.Length - offset);
            var fragment = new byte[14 + ihl + length];
            frame.AsSpan(0, 14 + ihl).CopyTo(fragment);
            payload.Slice(offset, length).CopyTo(fragment.AsSpan(14 + ihl));
            var ip = fragment.AsSpan(14);
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ihl + length));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], id);
            bool more = offset + length < payload.Length;
            BinaryPrimitives.WriteUInt16BigEndian(ip[6..], (ushort)((more ? 0x2000 : 0) | (offset / 8)));
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..ihl], 0));
            fragments.Add(fragment);
        }
        return fragments;
    }

    /// <summary>An IP packet around <paramref name="transport"/>, in an Ethernet frame.</summary>
    public static byte[] Ip(NetAddress source, NetAddress destination, byte protocol, ReadOnlySpan<byte> transport, int checksumOffset = -1, byte ttl = 64)
    {
        bool v4 = source.IsIPv4;
        int ipHeader = v4 ? 20 : 40;
        var frame = new byte[14 + ipHeader + transport.Length];
        DestinationMac.CopyTo(frame, 0);
        SourceMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), v4 ? (ushort)0x0800 : (ushort)0x86DD);
        var ip = frame.AsSpan(14);
        if (v4)
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(ipHeader + transport.Length));
            ip[8] = ttl;
            ip[9] = protocol;
            BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source.IPv4Value);
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination.IPv4Value);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], InternetChecksum.Compute(ip[..20], 0));
        }
        else
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)transport.Length);
            ip[6] = protocol;
            ip[7] = ttl;
            WriteIPv6(ip[8..], source);
            WriteIPv6(ip[24..], destination);
        }
        var l4 = ip[ipHeader..];
        transport.CopyTo(l4);
        if (checksumOffset >= 0 && (protocol != IpProtocol.Icmp))
        {
            uint pseudo = InternetChecksum.PseudoHeaderSum(ip, v4, protocol, transport.Length);
            ushort sum = InternetChecksum.Compute(l4, pseudo);
            BinaryPrimitives.WriteUInt16BigEndian(l4[checksumOffset..], protocol == IpProtocol.Udp && sum == 0 ? (ushort)0xFFFF : sum);
        }
        else if (checksumOffset >= 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(l4[checksumOffset..], InternetChecksum.Compute(l4, 0));
        }
        return frame;
    }

    private static void WriteIPv6(Span<byte> destination, NetAddress address)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, address.High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], address.Low);
    }
}
