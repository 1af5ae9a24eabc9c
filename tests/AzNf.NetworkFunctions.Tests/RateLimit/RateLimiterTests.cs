using System.Text.Json;
using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.RateLimit;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.RateLimit;

/// <summary>Token buckets by capture time: what passes, what is dropped and why, what is counted.</summary>
public sealed class RateLimiterTests
{
    private const long Second = 1_000_000_000L;
    private const long Start = 1_700_000_000L * Second;

    private static readonly NetAddress Attacker = NetAddress.Parse("203.0.113.66");
    private static readonly NetAddress Victim = NetAddress.Parse("10.0.0.10");

    [Fact]
    public void Process_SynBurstFromOneSource_PassesTheBucketThenDropsNamingTheLimit()
    {
        var limiter = Limiter("""{ "bySource": { "synPerSecond": 10 } }""");

        var verdicts = Enumerable.Range(0, 100).Select(i => Send(limiter, Syn(Attacker, (ushort)(10000 + i)), Start)).ToList();

        Assert.Equal(10, verdicts.Count(v => !v.IsDrop));
        Assert.All(verdicts.Skip(10), v => Assert.Equal("ratelimit:source-syn", v.Reason));
        Assert.Equal(90, Counters(limiter)["dropped:source-syn"]);
    }

    [Fact]
    public void Process_TokensRefillByCaptureTime_CappedAtTheBurst()
    {
        var limiter = Limiter("""{ "bySource": { "packetsPerSecond": 2 }, "burstSeconds": 1 }""");
        var packet = Data(Attacker, 1);

        bool[] passed =
        [
            !Send(limiter, packet, Start).IsDrop, !Send(limiter, packet, Start).IsDrop, !Send(limiter, packet, Start).IsDrop,
            // Half a second of capture time: one token back.
            !Send(limiter, packet, Start + (Second / 2)).IsDrop, !Send(limiter, packet, Start + (Second / 2)).IsDrop,
            // Ten seconds later the bucket holds its burst (2), not 20.
            !Send(limiter, packet, Start + (10 * Second)).IsDrop, !Send(limiter, packet, Start + (10 * Second)).IsDrop, !Send(limiter, packet, Start + (10 * Second)).IsDrop,
        ];

        Assert.Equal([true, true, false, true, false, true, true, false], passed);
    }

    [Fact]
    public void Process_TimeGoesBack_NoTokensMade()
    {
        var limiter = Limiter("""{ "bySource": { "packetsPerSecond": 1 } }""");
        var packet = Data(Attacker, 1);

        Assert.False(Send(limiter, packet, Start + (5 * Second)).IsDrop);
        Assert.True(Send(limiter, packet, Start).IsDrop);
        Assert.True(Send(limiter, packet, Start + (5 * Second)).IsDrop);
        Assert.False(Send(limiter, packet, Start + (6 * Second)).IsDrop);
    }

    [Fact]
    public void Process_PacketLargerThanTheBitBucket_PassesOnlyWhenTheBucketIsFull()
    {
        // 8,000 bits of bucket, a 1,500-byte packet (12,000 bits and its headers).
        var limiter = Limiter("""{ "bySource": { "bitsPerSecond": 8000 } }""");
        var big = Data(Attacker, 1, payload: 1500);

        Assert.False(Send(limiter, big, Start).IsDrop);
        Assert.Equal("ratelimit:source-bits", Send(limiter, big, Start + (Second / 2)).Reason);
        Assert.False(Send(limiter, big, Start + Second).IsDrop);
    }

    [Fact]
    public void Process_FloodBesideLegitimateClients_OnlyTheFloodIsDropped()
    {
        var limiter = Limiter("""{ "bySource": { "synPerSecond": 20 }, "byDestination": { "synPerSecond": 5000 } }""");
        int legitimatePassed = 0, floodPassed = 0;
        for (int i = 0; i < 2000; i++)
        {
            long now = Start + (i * (Second / 1000));
            floodPassed += Send(limiter, Syn(Attacker, (ushort)(1024 + i)), now).IsDrop ? 0 : 1;
            if (i % 100 == 0)
            {
                // 20 clients, one connection each: a SYN, then data.
                var client = NetAddress.Parse($"198.51.100.{(i / 100) + 1}");
                legitimatePassed += Send(limiter, Syn(client, 40000), now).IsDrop ? 0 : 1;
                legitimatePassed += Send(limiter, Data(client, 40000), now).IsDrop ? 0 : 1;
            }
        }

        Assert.Equal(40, legitimatePassed);
        // 20 in the first burst, then 20 a second for the 2 seconds: about 60 of 2,000.
        Assert.InRange(floodPassed, 58, 62);
        Assert.Equal(2000 - floodPassed, Counters(limiter)["dropped:source-syn"]);
    }

    [Fact]
    public void Process_DestinationLimit_CountsEverySourceTowardsIt()
    {
        var limiter = Limiter("""{ "byDestination": { "synPerSecond": 3 } }""");

        var verdicts = Enumerable.Range(1, 6).Select(i => Send(limiter, Syn(NetAddress.Parse($"198.51.100.{i}"), 40000), Start)).ToList();

        Assert.Equal([false, false, false, true, true, true], verdicts.Select(v => v.IsDrop));
        Assert.Equal("ratelimit:destination-syn", verdicts[^1].Reason);
    }

    [Fact]
    public void Process_MarkAction_ForwardsEverythingAndCountsWhatItWouldDrop()
    {
        var limiter = Limiter("""{ "action": "mark", "bySource": { "synPerSecond": 1 } }""");

        var verdicts = Enumerable.Range(0, 5).Select(i => Send(limiter, Syn(Attacker, (ushort)(2000 + i)), Start)).ToList();

        Assert.All(verdicts, v => Assert.False(v.IsDrop));
        var counters = Counters(limiter);
        Assert.Equal(4, counters["marked:source-syn"]);
        Assert.False(counters.ContainsKey("dropped:source-syn"));
    }

    [Fact]
    public void Process_FourPartitions_EachEnforcesAQuarterOfTheRate()
    {
        var limiter = Limiter("""{ "bySource": { "synPerSecond": 40 } }""", partitions: 4);

        int passed = Enumerable.Range(0, 100).Count(i => !Send(limiter, Syn(Attacker, (ushort)(3000 + i)), Start).IsDrop);

        Assert.Equal(10, passed);
    }

    [Fact]
    public void Process_TwoPartitionsFourShards_EachSliceEnforcesAnEighthOfTheRate()
    {
        var limiter = Limiter("""{ "bySource": { "synPerSecond": 80 } }""", partitions: 2, shards: 4);

        // 100 SYNs in each of the four slices: each passes its burst of 80 / 8 = 10.
        int passed = Enumerable.Range(0, 400).Count(i => !Send(limiter, Syn(Attacker, (ushort)(3000 + i)), Start, shard: i % 4).IsDrop);

        Assert.Equal(40, passed);
        Assert.Equal(4, Counters(limiter)["addresses:sources"]); // the attacker, once in each slice
    }

    [Fact]
    public void WriteSlice_ReadIntoAnotherInstance_TheSameVerdictsFollow()
    {
        const string config = """{ "bySource": { "synPerSecond": 6, "packetsPerSecond": 16 }, "byDestination": { "bitsPerSecond": 400000 } }""";
        var first = Limiter(config, shards: 2);
        var frames = Enumerable.Range(0, 300).Select(i => i % 3 == 0 ? Syn(NetAddress.FromIPv4(0xCB007100u + (uint)(i % 7)), (ushort)(2000 + i)) : Data(NetAddress.FromIPv4(0xCB007100u + (uint)(i % 7)), 1, payload: 200)).ToList();
        for (int i = 0; i < 150; i++)
        {
            Send(first, frames[i], Start + (i * Second / 100), shard: 1);
        }
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        first.WriteSlice(1, buffer);
        var second = Limiter(config, shards: 2);
        second.ReadSlice(1, first.SliceFormat, buffer.WrittenSpan);

        var fromFirst = frames.Skip(150).Select((f, i) => Send(first, f, Start + ((150 + i) * Second / 100), shard: 1)).ToList();
        var fromSecond = frames.Skip(150).Select((f, i) => Send(second, f, Start + ((150 + i) * Second / 100), shard: 1)).ToList();

        Assert.Equal(fromFirst, fromSecond);
        Assert.Contains(fromFirst, v => v.IsDrop);
        Assert.Contains(fromFirst, v => !v.IsDrop);
    }

    [Fact]
    public void ReadSlice_EmptySection_TheSliceStartsFull()
    {
        var limiter = Limiter("""{ "bySource": { "synPerSecond": 2 } }""", shards: 2);
        Send(limiter, Syn(Attacker, 1), Start, shard: 0);
        Send(limiter, Syn(Attacker, 2), Start, shard: 0);
        Assert.True(Send(limiter, Syn(Attacker, 3), Start, shard: 0).IsDrop);

        limiter.ReadSlice(0, limiter.SliceFormat, []);

        Assert.False(Send(limiter, Syn(Attacker, 4), Start, shard: 0).IsDrop);
    }

    [Fact]
    public void ReadSlice_CutSection_RefusedAsInvalidData()
    {
        var limiter = Limiter("""{ "bySource": { "synPerSecond": 2 } }""");
        Send(limiter, Syn(Attacker, 1), Start);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        limiter.WriteSlice(0, buffer);

        Assert.Throws<InvalidDataException>(() => limiter.ReadSlice(0, limiter.SliceFormat, buffer.WrittenSpan[..^3]));
    }

    [Fact]
    public void Process_MoreSourcesThanTracked_OldestEvictedAndCounted()
    {
        var limiter = Limiter("""{ "bySource": { "synPerSecond": 1 }, "maxAddresses": 4 }""");

        for (int i = 1; i <= 10; i++)
        {
            Send(limiter, Syn(NetAddress.Parse($"198.51.100.{i}"), 40000), Start);
        }

        var counters = Counters(limiter);
        Assert.Equal(4, counters["addresses:sources"]);
        Assert.Equal(6, counters["addresses:evicted"]);
    }

    [Fact]
    public void Process_NotIp_PassesUnlimitedAndCounted()
    {
        var limiter = Limiter("""{ "bySource": { "packetsPerSecond": 0.001 } }""");
        byte[] garbage = [1, 2, 3];

        Assert.False(Send(limiter, garbage, Start).IsDrop);
        Assert.False(Send(limiter, garbage, Start).IsDrop);
        Assert.Equal(2, Counters(limiter)["not-ip"]);
    }

    [Fact]
    public void Touch_FullTable_EvictsTheLeastRecentlySeen()
    {
        var table = new AddressBuckets(3);
        var a = NetAddress.Parse("192.0.2.1");
        var b = NetAddress.Parse("192.0.2.2");
        var c = NetAddress.Parse("192.0.2.3");
        var d = NetAddress.Parse("2001:db8::4");

        table.Touch(a, default);
        table.Touch(b, default);
        table.Touch(c, default);
        table.Touch(a, default);
        table.Touch(d, default);

        Assert.True(table.Contains(a));
        Assert.False(table.Contains(b));
        Assert.True(table.Contains(c));
        Assert.True(table.Contains(d));
        Assert.Equal(1, table.Evictions);
        Assert.Equal(3, table.Count);
    }

    [Theory]
    [InlineData("""{ }""", "config: sets no limit")]
    [InlineData("""{ "bySource": { "synPerSecond": -1 } }""", "config.bySource.synPerSecond: must be a number from 0.001")]
    [InlineData("""{ "bySource": { "synsPerSecond": 5 } }""", "config.bySource.synsPerSecond: unknown field")]
    [InlineData("""{ "bySource": { "synPerSecond": 5 }, "action": "reject" }""", "config.action: must be \"drop\" or \"mark\"")]
    [InlineData("""{ "bySource": { "synPerSecond": 5 }, "maxAddresses": 0.5 }""", "config.maxAddresses: must be an integer from 1")]
    [InlineData("""{ "bySource": { "synPerSecond": 5 }, "window": 1 }""", "config.window: unknown field")]
    public void Load_BadConfig_RefusedNamingTheField(string config, string message)
    {
        string chain = $$"""{ "stages": [ { "name": "guard", "type": "ratelimit", "config": {{config}} } ] }""";

        var e = Assert.Throws<ConfigException>(() => ChainDefinition.Parse(chain, "chain.json", AppContext.BaseDirectory));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static RateLimiter Limiter(string config, int partitions = 1, int shards = 1)
    {
        using var json = JsonDocument.Parse(config);
        var options = RateLimitOptions.Parse(json.RootElement, "test");
        return (RateLimiter)new RateLimiterDefinition("guard", options).CreateInstance(new PartitionResources(0, new AlertLog(), partitions) { FlowShards = shards });
    }

    private static Verdict Send(RateLimiter limiter, byte[] frame, long now, int shard = 0)
    {
        var context = new PacketContext { Frame = frame, WireLength = frame.Length, TimestampNanos = now, Index = 1, Shard = shard };
        context.Malformed = PacketParser.Parse(LinkType.Ethernet, frame, out context.Packet);
        return limiter.Process(ref context, FlowSlot.Scratch);
    }

    private static byte[] Syn(NetAddress source, ushort port) => PacketBuilder.Tcp(source, port, Victim, 80, TcpFlags.Syn, 1, 0);

    private static byte[] Data(NetAddress source, ushort port, int payload = 10) =>
        PacketBuilder.Tcp(source, port, Victim, 80, TcpFlags.Ack | TcpFlags.Psh, 2, 1, new byte[payload]);

    private static Dictionary<string, long> Counters(RateLimiter limiter)
    {
        var counters = new Dictionary<string, long>();
        limiter.ReportCounters(counters);
        return counters;
    }
}
