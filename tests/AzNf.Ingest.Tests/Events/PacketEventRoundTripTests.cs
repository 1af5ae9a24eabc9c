using AzNf.Ingest.Events;
using AzNf.Partitions;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Tests.Events;

public sealed class PacketEventRoundTripTests
{
    [Fact]
    public void Decode_OnePacket_GivesBackFrameLengthsTimestampAndLinkType()
    {
        var frame = TestTraffic.Tcp(fromClient: true, payload: "hello");
        var writer = new PacketEventWriter(1 << 20);
        writer.Start(LinkType.Ethernet, TestTraffic.Start);
        Assert.True(writer.TryAppend(frame, frame.Length + 100, TestTraffic.Start));
        var batch = new PartitionBatch(16);

        var error = PacketEventReader.TryDecode(writer.Body, 42, batch);

        Assert.Equal(PacketEventError.None, error);
        var packet = Assert.Single(batch.Packets.ToArray());
        Assert.Equal(42, packet.SequenceNumber);
        Assert.Equal(0, packet.PositionInEvent);
        Assert.Equal(LinkType.Ethernet, packet.LinkType);
        Assert.Equal(TestTraffic.Start, packet.TimestampNanos);
        Assert.Equal(frame.Length + 100, packet.WireLength);
        Assert.Equal(frame, batch.Frame(packet).ToArray());
        Assert.Equal(PacketEventFormat.Overhead(1) + frame.Length, writer.Body.Length);
    }

    [Fact]
    public void Decode_Flowlet_KeepsOrderPositionsAndTimestamps()
    {
        var frames = Enumerable.Range(0, 64).Select(i => TestTraffic.Tcp(i % 2 == 0, payload: new string('x', i))).ToList();
        var writer = new PacketEventWriter(1 << 20);
        writer.Start(LinkType.Ethernet, TestTraffic.Start);
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.True(writer.TryAppend(frames[i], frames[i].Length, TestTraffic.Start + (i * 1_000_000L)));
        }
        var batch = new PartitionBatch(1024);

        var error = PacketEventReader.TryDecode(writer.Body, 7, batch);

        Assert.Equal(PacketEventError.None, error);
        Assert.Equal(64, batch.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            var packet = batch.Packets[i];
            Assert.Equal(i, packet.PositionInEvent);
            Assert.Equal(7, packet.SequenceNumber);
            Assert.Equal(TestTraffic.Start + (i * 1_000_000L), packet.TimestampNanos);
            Assert.Equal(frames[i], batch.Frame(packet).ToArray());
        }
    }

    [Fact]
    public void TryAppend_PacketOutsideFlowletSpanOrOtherLinkType_IsRefused()
    {
        var frame = TestTraffic.Tcp(true);
        var writer = new PacketEventWriter(1 << 20);
        writer.Start(LinkType.Ethernet, TestTraffic.Start);

        bool before = writer.TryAppend(frame, frame.Length, TestTraffic.Start - 1);
        bool tooLate = writer.TryAppend(frame, frame.Length, TestTraffic.Start + PacketEventFormat.MaxTimestampDelta + 1);
        bool otherLink = writer.Fits(LinkType.Raw, frame.Length, TestTraffic.Start);
        bool lastInSpan = writer.TryAppend(frame, frame.Length, TestTraffic.Start + PacketEventFormat.MaxTimestampDelta);

        Assert.False(before);
        Assert.False(tooLate);
        Assert.False(otherLink);
        Assert.True(lastInSpan);
        Assert.Equal(1, writer.Count);
    }

    [Fact]
    public void TryAppend_BodyLimitReached_IsRefusedAndBodyStaysValid()
    {
        var frame = new byte[1000];
        var writer = new PacketEventWriter(PacketEventFormat.Overhead(2) + 2000);
        writer.Start(LinkType.Raw, 0);

        Assert.True(writer.TryAppend(frame, 1000, 0));
        Assert.True(writer.TryAppend(frame, 1000, 0));
        Assert.False(writer.TryAppend(frame, 1000, 0));

        Assert.Equal(PacketEventError.None, PacketEventReader.Validate(writer.Body, out var header));
        Assert.Equal(2, header.PacketCount);
    }

    [Fact]
    public void Decode_WireLengthBelowCaptured_IsRaisedToCaptured()
    {
        var frame = TestTraffic.Tcp(true);
        var writer = new PacketEventWriter(1 << 20);
        writer.Start(LinkType.Ethernet, 0);
        writer.TryAppend(frame, 10, 0);
        var batch = new PartitionBatch(4);

        PacketEventReader.TryDecode(writer.Body, 0, batch);

        Assert.Equal(frame.Length, batch.Packets[0].WireLength);
    }

    [Fact]
    public void Decode_ManyEvents_AllocatesNothing()
    {
        var frame = TestTraffic.Tcp(true, payload: "abc");
        var writer = new PacketEventWriter(1 << 20);
        writer.Start(LinkType.Ethernet, 0);
        for (int i = 0; i < 8; i++)
        {
            writer.TryAppend(frame, frame.Length, i);
        }
        byte[] body = writer.ToArray();
        var batch = new PartitionBatch(1024, 1 << 20);
        PacketEventReader.TryDecode(body, 0, batch);
        batch.Clear();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long s = 1; s <= 1000; s++)
        {
            if (batch.Count + 8 > batch.MaxPackets)
            {
                batch.Clear();
            }
            PacketEventReader.TryDecode(body, s, batch);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Encode_DocumentedExample_GivesTheBytesDocsEventsMdShows()
    {
        var frame = new byte[66];
        var writer = new PacketEventWriter(1 << 20);

        writer.Start(LinkType.Ethernet, 1_700_000_000_000_000_123);
        writer.TryAppend(frame, 66, 1_700_000_000_000_000_123);

        Assert.Equal(
            "4E46010001000100" + "7B002A36FE9C9717" + "000000004200000042000000",
            Convert.ToHexString(writer.Body[..28]));
        Assert.Equal(28 + 66, writer.Body.Length);
    }
}
