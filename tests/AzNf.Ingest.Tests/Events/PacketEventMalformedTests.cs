using System.Buffers.Binary;
using AzNf.Ingest.Events;
using AzNf.Partitions;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Tests.Events;

public sealed class PacketEventMalformedTests
{
    private static byte[] ThreePacketBody()
    {
        var writer = new PacketEventWriter(1 << 20);
        writer.Start(LinkType.Ethernet, TestTraffic.Start);
        for (int i = 0; i < 3; i++)
        {
            var frame = TestTraffic.Tcp(i % 2 == 0, payload: "data" + i);
            writer.TryAppend(frame, frame.Length, TestTraffic.Start + i);
        }
        return writer.ToArray();
    }

    private static int FirstRecord => PacketEventFormat.HeaderLength;

    public static TheoryData<string, PacketEventError> Damages() => new()
    {
        { "too-short", PacketEventError.TooShort },
        { "bad-magic", PacketEventError.BadMagic },
        { "version-2", PacketEventError.UnsupportedVersion },
        { "flag-bit", PacketEventError.UnknownFlags },
        { "zero-count", PacketEventError.NoPackets },
        { "count-1025", PacketEventError.TooManyPackets },
        { "count-4-of-3", PacketEventError.RecordTruncated },
        { "cut-in-frame", PacketEventError.FrameTruncated },
        { "frame-262145", PacketEventError.FrameTooLong },
        { "wire-below-captured", PacketEventError.CapturedLongerThanWire },
        { "wire-2^31", PacketEventError.WireTooLong },
        { "extra-byte", PacketEventError.TrailingBytes },
    };

    private static byte[] Damage(string damage)
    {
        var body = ThreePacketBody();
        var span = body.AsSpan();
        int firstCaptured = BinaryPrimitives.ReadInt32LittleEndian(span[(FirstRecord + 8)..]);
        switch (damage)
        {
            case "too-short": return body[..(PacketEventFormat.HeaderLength - 1)];
            case "bad-magic": span[0] = (byte)'X'; break;
            case "version-2": span[2] = 2; break;
            case "flag-bit": span[3] = 0x80; break;
            case "zero-count": BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 0); break;
            case "count-1025": BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 1025); break;
            case "count-4-of-3": BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 4); break;
            case "cut-in-frame": return body[..(body.Length - 1)];
            case "frame-262145":
                BinaryPrimitives.WriteUInt32LittleEndian(span[(FirstRecord + 4)..], 300_000);
                BinaryPrimitives.WriteUInt32LittleEndian(span[(FirstRecord + 8)..], 262_145);
                break;
            case "wire-below-captured": BinaryPrimitives.WriteUInt32LittleEndian(span[(FirstRecord + 4)..], (uint)firstCaptured - 1); break;
            case "wire-2^31": BinaryPrimitives.WriteUInt32LittleEndian(span[(FirstRecord + 4)..], 0x8000_0000); break;
            case "extra-byte": return [.. body, 0];
            default: throw new ArgumentException(damage);
        }
        return body;
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void Decode_DamagedBody_ReturnsItsReasonAndAddsNothing(string damage, PacketEventError expected)
    {
        var body = Damage(damage);
        var batch = new PartitionBatch(16);
        batch.Add(1, 0, LinkType.Ethernet, [1, 2, 3], 3, 0);

        var error = PacketEventReader.TryDecode(body, 2, batch);

        Assert.Equal(expected, error);
        Assert.Equal(1, batch.Count);
        Assert.NotEqual("none", PacketEventErrors.Name(error));
    }

    [Fact]
    public void Decode_TruncatedAtEveryOffset_FailsWithoutThrowingOrAdding()
    {
        var body = ThreePacketBody();
        var batch = new PartitionBatch(16);

        for (int length = 0; length < body.Length; length++)
        {
            var error = PacketEventReader.TryDecode(body.AsSpan(0, length), length, batch);

            Assert.NotEqual(PacketEventError.None, error);
            Assert.Equal(0, batch.Count);
        }
    }

    [Fact]
    public void Decode_RandomByteDamage_NeverThrowsAndAddsAllOrNothing()
    {
        var original = ThreePacketBody();
        var random = new Random(1234);
        var batch = new PartitionBatch(2048, 1 << 20);
        long sequence = 0;

        for (int trial = 0; trial < 5000; trial++)
        {
            var body = (byte[])original.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }
            batch.Clear();
            var error = PacketEventReader.TryDecode(body, ++sequence, batch);
            int expected = error == PacketEventError.None && PacketEventReader.TryReadHeader(body, out var header) == PacketEventError.None ? header.PacketCount : 0;

            Assert.Equal(expected, batch.Count);
        }
    }

    [Fact]
    public void Decode_BatchWithoutRoom_ThrowsBeforeAdding()
    {
        var body = ThreePacketBody();
        var batch = new PartitionBatch(2);

        Assert.Throws<ArgumentException>(() => PacketEventReader.TryDecode(body, 1, batch));

        Assert.Equal(0, batch.Count);
    }

    [Theory]
    [InlineData(PacketEventProperties.FlowKey)]
    [InlineData(PacketEventProperties.Source)]
    [InlineData(PacketEventProperties.Sequence)]
    public void CheckProperties_OneMissing_NamesIt(string property)
    {
        var properties = new Dictionary<string, object>
        {
            [PacketEventProperties.FlowKey] = "tcp 10.0.0.1:1 <-> 10.0.0.2:2",
            [PacketEventProperties.Source] = "x.pcap",
            [PacketEventProperties.Sequence] = 1L,
        };
        properties.Remove(property);

        var error = PacketEventProperties.Check(properties, out string? missing);

        Assert.Equal(PacketEventError.MissingProperty, error);
        Assert.Equal(property, missing);
    }

    [Fact]
    public void CheckProperties_SequenceOfWrongType_IsMissing()
    {
        var properties = new Dictionary<string, object>
        {
            [PacketEventProperties.FlowKey] = "f",
            [PacketEventProperties.Source] = "s",
            [PacketEventProperties.Sequence] = "1",
        };

        var error = PacketEventProperties.Check(properties, out string? missing);

        Assert.Equal(PacketEventError.MissingProperty, error);
        Assert.Equal(PacketEventProperties.Sequence, missing);
    }
}
