using System.Buffers.Binary;

namespace AzNf.Packets.Parsing;

/// <summary>The Internet checksum (RFC 1071) that IPv4, TCP, UDP and ICMP carry.</summary>
public static class InternetChecksum
{
    /// <summary>The checksum of <paramref name="data"/> plus a starting sum (a pseudo-header's, or 0).</summary>
    public static ushort Compute(ReadOnlySpan<byte> data, uint initial)
    {
        ulong sum = initial;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }
        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }
        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)~sum;
    }

    /// <summary>
    /// The sum of the pseudo-header TCP, UDP and ICMPv6 checksums cover (RFC 9293 §3.1, RFC 8200
    /// §8.1): the addresses of the IP header <paramref name="ip"/>, the protocol and the
    /// transport length.
    /// </summary>
    public static uint PseudoHeaderSum(ReadOnlySpan<byte> ip, bool v4, byte protocol, int transportLength)
    {
        uint sum = 0;
        var addresses = v4 ? ip[12..20] : ip[8..40];
        for (int i = 0; i < addresses.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(addresses[i..]);
        }
        return sum + protocol + (uint)transportLength;
    }
}
