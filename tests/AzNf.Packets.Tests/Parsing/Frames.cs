using System.Buffers.Binary;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Tests.Parsing;

/// <summary>
/// Hand-built header bytes, layer by layer, for parser tests: every length field is computed
/// from the real content unless a test overrides it to make the frame wrong.
/// </summary>
internal static class Frames
{
    public const ushort EtherTypeIPv4 = 0x0800;
    public const ushort EtherTypeIPv6 = 0x86DD;
    public const ushort EtherTypeArp = 0x0806;

    public static byte[] Ipv4(
        byte protocol, byte[] payload, byte[]? options = null, ushort fragmentField = 0,
        string source = "10.0.0.1", string destination = "10.0.0.2", int totalLengthOverride = -1, int ihlOverride = -1)
    {
        options ??= [];
        int headerLength = 20 + options.Length;
        var ip = new byte[headerLength + payload.Length];
        ip[0] = (byte)(0x40 | (ihlOverride >= 0 ? ihlOverride : headerLength / 4));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)(totalLengthOverride >= 0 ? totalLengthOverride : ip.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), fragmentField);
        ip[8] = 64;
        ip[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip.AsSpan(12), NetAddress.Parse(source).IPv4Value);
        BinaryPrimitives.WriteUInt32BigEndian(ip.AsSpan(16), NetAddress.Parse(destination).IPv4Value);
        options.CopyTo(ip, 20);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), InternetChecksum.Compute(ip.AsSpan(0, headerLength), 0));
        payload.CopyTo(ip, headerLength);
        return ip;
    }

    /// <summary>An IPv6 packet; <paramref name="afterHeader"/> holds any extension headers and the upper layer.</summary>
    public static byte[] Ipv6(byte nextHeader, byte[] afterHeader, string source = "2001:db8::1", string destination = "2001:db8::2", int payloadLengthOverride = -1)
    {
        var ip = new byte[40 + afterHeader.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(payloadLengthOverride >= 0 ? payloadLengthOverride : afterHeader.Length));
        ip[6] = nextHeader;
        ip[7] = 63;
        Write(ip.AsSpan(8), NetAddress.Parse(source));
        Write(ip.AsSpan(24), NetAddress.Parse(destination));
        afterHeader.CopyTo(ip, 40);
        return ip;
    }

    /// <summary>A hop-by-hop, routing or destination-options header of (units + 1) * 8 bytes.</summary>
    public static byte[] Extension(byte nextHeader, int units = 0)
    {
        var header = new byte[(units + 1) * 8];
        header[0] = nextHeader;
        header[1] = (byte)units;
        header[2] = 1; // PadN option covering the rest, as real stacks pad
        header[3] = (byte)(header.Length - 4);
        return header;
    }

    /// <summary>An IPv6 Fragment header (RFC 8200 §4.5); <paramref name="offsetUnits"/> counts 8-byte units.</summary>
    public static byte[] Fragment(byte nextHeader, ushort offsetUnits, bool more)
    {
        var header = new byte[8];
        header[0] = nextHeader;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)((offsetUnits << 3) | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 0xCAFE);
        return header;
    }

    /// <summary>An Authentication Header (RFC 4302), whose length counts 4-byte units minus 2.</summary>
    public static byte[] AuthenticationHeader(byte nextHeader)
    {
        var header = new byte[24];
        header[0] = nextHeader;
        header[1] = (byte)((header.Length / 4) - 2);
        return header;
    }

    public static byte[] Tcp(
        ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, TcpFlags flags,
        byte[]? options = null, byte[]? payload = null, int dataOffsetWordsOverride = -1, ushort window = 8192)
    {
        options ??= [];
        payload ??= [];
        int headerLength = 20 + options.Length;
        var segment = new byte[headerLength + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(segment, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(8), acknowledgment);
        segment[12] = (byte)((dataOffsetWordsOverride >= 0 ? dataOffsetWordsOverride : headerLength / 4) << 4);
        segment[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(14), window);
        options.CopyTo(segment, 20);
        payload.CopyTo(segment, headerLength);
        return segment;
    }

    public static byte[] Udp(ushort sourcePort, ushort destinationPort, byte[]? payload = null, int lengthOverride = -1)
    {
        payload ??= [];
        var datagram = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(datagram, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(4), (ushort)(lengthOverride >= 0 ? lengthOverride : datagram.Length));
        payload.CopyTo(datagram, 8);
        return datagram;
    }

    public static byte[] Icmp(byte type, byte code, ushort id, ushort sequence, byte[]? payload = null)
    {
        payload ??= [];
        var message = new byte[8 + payload.Length];
        message[0] = type;
        message[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), sequence);
        payload.CopyTo(message, 8);
        return message;
    }

    /// <summary>An Ethernet II frame; each tag type in <paramref name="tagTypes"/> (outer first) adds a 4-byte tag.</summary>
    public static byte[] Ethernet(ushort etherType, byte[] payload, params ushort[] tagTypes)
    {
        var frame = new byte[14 + (4 * tagTypes.Length) + payload.Length];
        byte[] macs = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
        macs.CopyTo(frame, 0);
        int offset = 12;
        for (int i = 0; i < tagTypes.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tagTypes[i]);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), (ushort)(100 + i)); // PCP 0, VLAN id
            offset += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), etherType);
        payload.CopyTo(frame, offset + 2);
        return frame;
    }

    /// <summary>Linux cooked capture v1: packet type, ARPHRD, address length, 8 address bytes, protocol.</summary>
    public static byte[] Sll(ushort protocol, byte[] payload)
    {
        var frame = new byte[16 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, 0); // to us
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), 1); // ARPHRD_ETHER
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(4), 6);
        byte[] mac = [2, 0, 0, 0, 0, 1];
        mac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), protocol);
        payload.CopyTo(frame, 16);
        return frame;
    }

    /// <summary>Linux cooked capture v2: protocol, reserved, interface index, ARPHRD, packet type, address length, address.</summary>
    public static byte[] Sll2(ushort protocol, byte[] payload)
    {
        var frame = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, protocol);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), 3);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(8), 1);
        frame[10] = 4; // outgoing
        frame[11] = 6;
        byte[] mac = [2, 0, 0, 0, 0, 1];
        mac.CopyTo(frame, 12);
        payload.CopyTo(frame, 20);
        return frame;
    }

    /// <summary>BSD loopback: the address family as 4 bytes, in either byte order.</summary>
    public static byte[] Loopback(uint family, bool littleEndian, byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        if (littleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(frame, family);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(frame, family);
        }
        payload.CopyTo(frame, 4);
        return frame;
    }

    private static void Write(Span<byte> destination, NetAddress address)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, address.High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], address.Low);
    }
}
