using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace AzNf.Packets.Parsing;

/// <summary>
/// An IPv4 or IPv6 address as 128 bits, IPv4 held in its IPv4-mapped form (::ffff:a.b.c.d),
/// so that one comparison and one hash serve both families without allocation.
/// </summary>
public readonly record struct NetAddress(ulong High, ulong Low) : IComparable<NetAddress>
{
    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000UL;

    /// <summary>True when the address is an IPv4 address (held IPv4-mapped).</summary>
    public bool IsIPv4 => High == 0 && (Low & 0xFFFF_FFFF_0000_0000UL) == MappedPrefix;

    /// <summary>The IPv4 address as a host-order integer; only meaningful when <see cref="IsIPv4"/>.</summary>
    public uint IPv4Value => (uint)Low;

    public static NetAddress FromIPv4(uint hostOrder) => new(0, MappedPrefix | hostOrder);

    /// <summary>Reads an IPv4 address in network order from four bytes.</summary>
    public static NetAddress ReadIPv4(ReadOnlySpan<byte> fourBytes) =>
        FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(fourBytes));

    /// <summary>Reads an IPv6 address in network order from sixteen bytes.</summary>
    public static NetAddress ReadIPv6(ReadOnlySpan<byte> sixteenBytes) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes), BinaryPrimitives.ReadUInt64BigEndian(sixteenBytes[8..]));

    public static NetAddress FromIPAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return ReadIPv4(bytes);
        }
        address.TryWriteBytes(bytes, out _);
        return ReadIPv6(bytes);
    }

    public static NetAddress Parse(string text) => FromIPAddress(IPAddress.Parse(text));

    public static bool TryParse(string text, out NetAddress address)
    {
        if (IPAddress.TryParse(text, out var ip))
        {
            address = FromIPAddress(ip);
            return true;
        }
        address = default;
        return false;
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, IPv4Value);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
        return new IPAddress(bytes);
    }

    public int CompareTo(NetAddress other)
    {
        int c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    public override string ToString() => ToIPAddress().ToString();
}
