using AzNf.Orchestrations.Batches;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Tests.Batches;

public class PacketSliceFormatTests
{
    private static readonly SlicePacket[] Packets =
    [
        new(100, 0, 7, LinkType.Ethernet, 1_700_000_000_000_000_123, 66, new byte[] { 1, 2, 3 }),
        new(100, 1, 8, LinkType.Ethernet, 1_700_000_000_000_000_100, 1514, new byte[60]),
        new(4_000_000_000, 0, 3_000_000_000, LinkType.Raw, 1_700_000_005_000_000_000, 40, new byte[40]),
    ];

    private static (byte[] Slice, SliceRef Reference) Write(int shard = 3)
    {
        var buffer = new byte[PacketSliceFormat.SizeOf(Packets.Select(p => p.Frame.Length))];
        int written = PacketSliceFormat.Write(buffer, shard, Packets);
        return (buffer, new SliceRef(shard, 0, written, Packets.Length, Packets.Sum(p => (long)p.WireLength), ContentHash.Of(buffer)));
    }

    [Fact]
    public void Read_WhatWriteWrote_SamePacketsInOrder()
    {
        var (slice, reference) = Write();

        var read = PacketSliceFormat.Read(slice, reference, "blob");

        Assert.Equal(slice.Length, reference.Length);
        Assert.Equal(Packets.Length, read.Count);
        for (int i = 0; i < Packets.Length; i++)
        {
            Assert.Equal((Packets[i].SequenceNumber, Packets[i].PositionInEvent, Packets[i].CaptureIndex, Packets[i].LinkType, Packets[i].TimestampNanos, Packets[i].WireLength),
                (read[i].SequenceNumber, read[i].PositionInEvent, read[i].CaptureIndex, read[i].LinkType, read[i].TimestampNanos, read[i].WireLength));
            Assert.Equal(Packets[i].Frame.ToArray(), read[i].Frame.ToArray());
        }
    }

    [Fact]
    public void Read_OneByteChanged_RefusedByTheHashNamingBlobAndOffset()
    {
        var (slice, reference) = Write();
        slice[^1] ^= 0xFF;

        var error = Assert.Throws<PacketSliceException>(() => PacketSliceFormat.Read(slice, reference with { Offset = 4096 }, "hub-packets/b1.nfb"));

        Assert.Contains("hub-packets/b1.nfb @ 4096", error.Message, StringComparison.Ordinal);
        Assert.Contains("hash", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(39)]
    [InlineData(45)]
    public void Read_Truncated_RefusedNotThrownOtherwise(int keep)
    {
        var (slice, _) = Write();
        var cut = slice[..keep];

        var error = Assert.Throws<PacketSliceException>(() => PacketSliceFormat.Read(cut, new SliceRef(3, 0, keep, Packets.Length, 0, ContentHash.Of(cut)), "b"));

        Assert.StartsWith("b @ 0: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_AnotherShardsSlice_Refused()
    {
        var (slice, reference) = Write(shard: 3);

        var error = Assert.Throws<PacketSliceException>(() => PacketSliceFormat.Read(slice, reference with { Shard = 2 }, "b"));

        Assert.Contains("shard 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Garbage_RefusedAsNotASlice()
    {
        var garbage = System.Text.Encoding.ASCII.GetBytes("this is not a packet slice at all, just text....");

        var error = Assert.Throws<PacketSliceException>(() => PacketSliceFormat.Read(garbage, new SliceRef(0, 0, garbage.Length, 1, 0, ContentHash.Of(garbage)), "b"));

        Assert.Contains("not a packet slice", error.Message, StringComparison.Ordinal);
    }
}
