using System.Buffers.Binary;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.Packets.Tests.Parsing;

public class IpDefragmenterTests
{
    private static readonly NetAddress A = NetAddress.Parse("192.0.2.1");
    private static readonly NetAddress B = NetAddress.Parse("198.51.100.2");

    private static byte[] Datagram(string payload) =>
        PacketBuilder.Udp(A, 1234, B, 53, System.Text.Encoding.ASCII.GetBytes(payload));

    private static (DefragResult Last, byte[]? Frame) Offer(IpDefragmenter defrag, IEnumerable<byte[]> fragments, long time = 0)
    {
        var result = DefragResult.NotFragment;
        byte[]? frame = null;
        foreach (var fragment in fragments)
        {
            result = defrag.Offer(LinkType.Ethernet, fragment, time);
            if (result == DefragResult.Reassembled)
            {
                frame = defrag.Reassembled.ToArray();
            }
        }
        return (result, frame);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void IPv4_InOrderOrLastFirst_SameDatagramAsSent(bool reverse)
    {
        var original = Datagram("a payload long enough to be cut into several sixteen-byte fragments");
        var fragments = PacketBuilder.FragmentIPv4(original, 16, id: 77);
        if (reverse)
        {
            fragments.Reverse();
        }
        var defrag = new IpDefragmenter(new DefragOptions());

        var (last, frame) = Offer(defrag, fragments);

        Assert.Equal(DefragResult.Reassembled, last);
        Assert.Equal(original[14..].AsSpan()[..2].ToArray(), frame![14..16]);
        // The same IP header apart from the identification field, which the fragments set.
        var expected = (byte[])original.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(14 + 4), 77);
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(14 + 10), 0);
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(14 + 10), InternetChecksum.Compute(expected.AsSpan(14, 20), 0));
        Assert.Equal(expected, frame);
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, frame, out var parsed));
        Assert.False(parsed.IsFragment);
        Assert.Equal(53, parsed.DestinationPort);
        Assert.Equal(0, defrag.Pending);
        Assert.Equal(fragments.Count, defrag.Fragments);
    }

    [Fact]
    public void NotAFragment_PassedThrough()
    {
        var defrag = new IpDefragmenter(new DefragOptions());

        Assert.Equal(DefragResult.NotFragment, defrag.Offer(LinkType.Ethernet, Datagram("whole"), 0));
        Assert.Equal(0, defrag.Fragments);
    }

    [Theory]
    [InlineData(DefragPolicy.First, "AAAAAAAAAAAAAAAABBBBBBBBCCCCCCCC")]
    [InlineData(DefragPolicy.Last, "AAAAAAAAXXXXXXXXXXXXXXXXCCCCCCCC")]
    [InlineData(DefragPolicy.Bsd, "AAAAAAAAAAAAAAAAXXXXXXXXCCCCCCCC")]
    public void Overlap_PolicyDecidesWhichBytesWin(DefragPolicy policy, string expected)
    {
        // 0..15 "A", then 8..31 "X" overlapping A's second half and B, then 16..23 "B" ... arrival order A, B, X, C.
        var whole = Datagram(new string('.', 32 - 8));
        byte[] Piece(int offset, string data, bool more)
        {
            var fragment = new byte[14 + 20 + data.Length];
            whole.AsSpan(0, 34).CopyTo(fragment);
            System.Text.Encoding.ASCII.GetBytes(data).CopyTo(fragment, 34);
            BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(16), (ushort)(20 + data.Length));
            BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(18), 9);
            BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(20), (ushort)((more ? 0x2000 : 0) | (offset / 8)));
            return fragment;
        }
        var defrag = new IpDefragmenter(new DefragOptions { Policy = policy });

        var (last, frame) = Offer(defrag, [Piece(0, new string('A', 16), true), Piece(16, new string('B', 8), true), Piece(8, new string('X', 16), true), Piece(24, new string('C', 8), false)]);

        Assert.Equal(DefragResult.Reassembled, last);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(frame!, 34, 32));
        Assert.Equal(1, defrag.Overlaps);
    }

    [Fact]
    public void Incomplete_GivenUpAfterTimeout()
    {
        var fragments = PacketBuilder.FragmentIPv4(Datagram("a payload long enough for three fragments!"), 16, id: 5);
        var defrag = new IpDefragmenter(new DefragOptions { TimeoutSeconds = 10 });

        Offer(defrag, fragments.Take(2), time: 0);
        Assert.Equal(1, defrag.Pending);
        var (last, _) = Offer(defrag, [fragments[^1]], time: 11_000_000_000);

        Assert.Equal(DefragResult.Held, last);
        Assert.Equal(1, defrag.Timeouts);
        Assert.Equal(1, defrag.Pending);
    }

    [Fact]
    public void Limits_MemcapAndTrackers_DropFragmentsAndCountThem()
    {
        var defrag = new IpDefragmenter(new DefragOptions { MemcapBytes = 40, MaxTrackers = 1 });
        var first = PacketBuilder.FragmentIPv4(Datagram("one datagram of more than forty payload bytes in all"), 16, id: 1);
        var second = PacketBuilder.FragmentIPv4(Datagram("another datagram"), 16, id: 2);

        Offer(defrag, first);
        Offer(defrag, second.Take(1));

        Assert.Equal(1, defrag.Pending);
        Assert.True(defrag.Dropped >= 2, $"dropped {defrag.Dropped}");
        Assert.Equal(0, defrag.ReassembledCount);
    }

    [Fact]
    public void IPv6_FragmentHeaderAfterDestinationOptions_Reassembled()
    {
        var payload = System.Text.Encoding.ASCII.GetBytes("an IPv6 UDP payload cut into two fragments by the sender");
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, 1000);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), 53);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp, 8);
        byte[] Fragment(int offset, int length, bool more)
        {
            // IPv6 → destination options (8 bytes, next: fragment) → fragment (next: UDP) → data.
            var body = new byte[8 + 8 + length];
            body[0] = 44;
            body[8] = 17;
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(10), (ushort)(offset | (more ? 1 : 0)));
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(12), 0xABCD);
            udp.AsSpan(offset, length).CopyTo(body.AsSpan(16));
            return PacketBuilder.Ip(NetAddress.Parse("2001:db8::1"), NetAddress.Parse("2001:db8::2"), 60, body);
        }
        var defrag = new IpDefragmenter(new DefragOptions());

        var (last, frame) = Offer(defrag, [Fragment(32, udp.Length - 32, more: false), Fragment(0, 32, more: true)]);

        Assert.Equal(DefragResult.Reassembled, last);
        Assert.Equal(MalformedReason.None, PacketParser.Parse(LinkType.Ethernet, frame!, out var parsed));
        Assert.False(parsed.IsFragment);
        Assert.Equal(IpProtocol.Udp, parsed.Protocol);
        Assert.Equal(53, parsed.DestinationPort);
        Assert.Equal(payload, frame.AsSpan(parsed.PayloadOffset, parsed.PayloadLength).ToArray());
    }

    [Fact]
    public void MoreFragmentsWithLengthNotMultipleOf8_Dropped()
    {
        var fragments = PacketBuilder.FragmentIPv4(Datagram("twenty-four bytes, then"), 16, id: 3);
        var bad = fragments[0][..^3];
        BinaryPrimitives.WriteUInt16BigEndian(bad.AsSpan(16), (ushort)(20 + 13));
        var defrag = new IpDefragmenter(new DefragOptions());

        defrag.Offer(LinkType.Ethernet, bad, 0);

        Assert.Equal(1, defrag.Dropped);
        Assert.Equal(0, defrag.Pending);
    }
}
