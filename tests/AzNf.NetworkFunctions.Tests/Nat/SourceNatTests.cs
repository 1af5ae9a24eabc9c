using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Nat;

/// <summary>
/// Source NAT through the chain engine: both directions of a translated flow, the frames as they
/// leave (compared byte for byte with frames built whole), the pool running out under each
/// policy, replies steered to the flow's partition, and mappings surviving a snapshot.
/// </summary>
public sealed class SourceNatTests
{
    private const long Second = 1_000_000_000L;
    private const long Start = 1_700_000_000L * Second;

    private static readonly NetAddress Inside = NetAddress.Parse("192.168.1.10");
    private static readonly NetAddress Inside2 = NetAddress.Parse("192.168.1.11");
    private static readonly NetAddress Outside = NetAddress.Parse("203.0.113.5");
    private static readonly NetAddress Remote = NetAddress.Parse("198.51.100.20");

    [Fact]
    public void Process_OutboundThenReply_TranslatedBothWaysOnOneFlow()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5" }""");

        var syn = nat.Send(PacketBuilder.Tcp(Inside, 40000, Remote, 443, TcpFlags.Syn, 100, 0));
        var (outside, port) = (syn.Parsed.Source, syn.Parsed.SourcePort);
        var synAck = nat.Send(PacketBuilder.Tcp(Remote, 443, Outside, port, TcpFlags.Syn | TcpFlags.Ack, 900, 101));
        var ack = nat.Send(PacketBuilder.Tcp(Inside, 40000, Remote, 443, TcpFlags.Ack, 101, 901, "hello"u8));

        Assert.Equal(Outside, outside);
        Assert.InRange(port, 1024, 65535);
        Assert.Equal(PacketBuilder.Tcp(Outside, port, Remote, 443, TcpFlags.Syn, 100, 0), syn.Frame);
        Assert.Equal(PacketBuilder.Tcp(Remote, 443, Inside, 40000, TcpFlags.Syn | TcpFlags.Ack, 900, 101), synAck.Frame);
        Assert.Equal(PacketBuilder.Tcp(Outside, port, Remote, 443, TcpFlags.Ack, 101, 901, "hello"u8), ack.Frame);
        Assert.Equal(1, nat.Partition.Flows.Count);
        var counters = nat.Partition.NfCounters(0);
        Assert.Equal(2, counters["translated:outbound"]);
        Assert.Equal(1, counters["translated:inbound"]);
        nat.Partition.Finish();
        var flow = Assert.Single(nat.Partition.FinishedFlows);
        Assert.Equal((2L, 1L), (flow.PacketsAToB, flow.PacketsBToA));
        Assert.Equal(new FlowKey(Remote, Outside, 443, port, IpProtocol.Tcp).ToString(), flow.Translated);
    }

    [Fact]
    public void Process_IcmpEcho_IdTranslatedAndTheReplyTranslatedBack()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5" }""");

        var request = nat.Send(PacketBuilder.IcmpEcho(Inside, Remote, request: true, id: 7, sequence: 1, "ping"u8));
        ushort id = request.Parsed.IcmpId;
        var reply = nat.Send(PacketBuilder.IcmpEcho(Remote, Outside, request: false, id: id, sequence: 1, "ping"u8));

        Assert.Equal(PacketBuilder.IcmpEcho(Outside, Remote, request: true, id: id, sequence: 1, "ping"u8), request.Frame);
        Assert.Equal(PacketBuilder.IcmpEcho(Remote, Inside, request: false, id: 7, sequence: 1, "ping"u8), reply.Frame);
        Assert.Equal(1, nat.Partition.Flows.Count);
    }

    [Fact]
    public void Process_UnsolicitedToTheOutsideAddress_DroppedForNoMapping()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5" }""");

        var probe = nat.Send(PacketBuilder.Tcp(Remote, 5555, Outside, 22, TcpFlags.Syn, 1, 0));

        Assert.Equal("nat:no-mapping", probe.Verdict.Reason);
        Assert.Equal(1, nat.Partition.NfCounters(0)["no-mapping"]);
    }

    [Fact]
    public void Process_InsideToInsideAndTransit_PassUnchanged()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5" }""");
        var local = PacketBuilder.Udp(Inside, 5000, Inside2, 53, "q"u8);
        var transit = PacketBuilder.Udp(Remote, 5000, NetAddress.Parse("198.51.100.99"), 53, "q"u8);

        var first = nat.Send(local);
        var second = nat.Send(transit);

        Assert.Equal(local, first.Frame);
        Assert.Equal(transit, second.Frame);
        Assert.Equal(2, nat.Partition.NfCounters(0)["untranslated"]);
        Assert.Equal(0, nat.Partition.NfCounters(0)["mappings:created"]);
    }

    [Fact]
    public void Process_PoolExhaustedUnderDrop_NewFlowDroppedUntilAMappingExpires()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5", "ports": "2000-2003" }""");

        var verdicts = Enumerable.Range(0, 5).Select(i => nat.Send(PacketBuilder.Udp(Inside, (ushort)(6000 + i), Remote, 53, "q"u8), Start).Verdict).ToList();
        // Past the UDP timeout (300 s) the four mappings go with their flows.
        var later = nat.Send(PacketBuilder.Udp(Inside, 6004, Remote, 53, "q"u8), Start + (301 * Second));

        Assert.Equal(4, verdicts.Count(v => !v.IsDrop));
        Assert.Equal("nat:exhausted", verdicts[4].Reason);
        Assert.False(later.Verdict.IsDrop);
        Assert.InRange(later.Parsed.SourcePort, 2000, 2003);
        Assert.Equal(1, nat.Partition.NfCounters(0)["exhausted"]);
    }

    [Fact]
    public void Process_PoolExhaustedUnderReuseOldest_TheLeastRecentlyUsedMappingIsTaken()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5", "ports": "2000-2003", "onExhausted": "reuse-oldest" }""");
        var first = nat.Send(PacketBuilder.Udp(Inside, 6000, Remote, 53, "q"u8), Start);
        for (int i = 1; i < 4; i++)
        {
            nat.Send(PacketBuilder.Udp(Inside, (ushort)(6000 + i), Remote, 53, "q"u8), Start + i);
        }
        nat.Send(PacketBuilder.Udp(Inside, 6000, Remote, 53, "q"u8), Start + 10); // flow 0 used again: flow 1 is now the oldest
        var second = nat.Send(PacketBuilder.Udp(Inside, 6001, Remote, 53, "q"u8), Start + 11);

        var fifth = nat.Send(PacketBuilder.Udp(Inside, 6004, Remote, 53, "q"u8), Start + 20);
        var robbed = nat.Send(PacketBuilder.Udp(Inside, 6002, Remote, 53, "q"u8), Start + 21);

        Assert.False(fifth.Verdict.IsDrop);
        Assert.NotEqual(first.Parsed.SourcePort, fifth.Parsed.SourcePort);
        Assert.NotEqual(second.Parsed.SourcePort, fifth.Parsed.SourcePort);
        Assert.Equal("nat:mapping-reclaimed", robbed.Verdict.Reason);
        Assert.Equal(1, nat.Partition.NfCounters(0)["mappings:reclaimed"]);
    }

    [Fact]
    public void Process_MaxMappingsReachedUnderDrop_NewFlowsDropped()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5", "maxMappings": 3 }""");

        var verdicts = Enumerable.Range(0, 4).Select(i => nat.Send(PacketBuilder.Udp(Inside, 6000, NetAddress.FromIPv4(0xC6336400u + (uint)i), 53, "q"u8)).Verdict).ToList();

        Assert.Equal([false, false, false, true], verdicts.Select(v => v.IsDrop));
        Assert.Equal(3, nat.Partition.NfCounters(0)["mappings:created"]);
        Assert.Equal(1, nat.Partition.NfCounters(0)["exhausted"]);
    }

    [Fact]
    public void Process_FourPartitions_EveryReplyTupleFallsIntoItsFlowsPartitionAndShard()
    {
        const int partitions = 4;
        var runs = Enumerable.Range(0, partitions).Select(p => new NatRun("""{ "inside": "192.168.0.0/16", "outside": ["203.0.113.5","203.0.113.6"] }""", p, partitions)).ToArray();
        int checkedFlows = 0;

        for (int i = 0; i < 400; i++)
        {
            var frame = PacketBuilder.Tcp(NetAddress.FromIPv4(0xC0A80000u + (uint)(i % 50)), (ushort)(30000 + i), Remote, 443, TcpFlags.Syn, 1, 0);
            PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            int p = FlowKey.From(parsed, out _).PartitionOf(partitions);

            var sent = runs[p].Send(frame);

            var reply = FlowKey.From(sent.Parsed, out _);
            Assert.Equal(p, reply.PartitionOf(partitions));
            Assert.Equal(FlowShardHash.ShardOf(FlowKey.From(parsed, out _).ToString(), ChainDefinition.DefaultFlowShards), FlowShardHash.ShardOf(reply.ToString(), ChainDefinition.DefaultFlowShards));
            checkedFlows++;
        }

        Assert.Equal(400, checkedFlows);
        Assert.Equal(400, runs.Sum(r => r.Partition.NfCounters(0)["mappings:created"]));
    }

    [Fact]
    public void Process_SameTrafficTwice_SameTranslations()
    {
        var frames = Enumerable.Range(0, 200).Select(i => PacketBuilder.Udp(NetAddress.FromIPv4(0xC0A80100u + (uint)(i % 7)), (ushort)(7000 + i), Remote, 53, "q"u8)).ToList();

        var first = new NatRun("""{ "inside": "192.168.0.0/16", "outside": ["203.0.113.5","203.0.113.6","203.0.113.7"] }""");
        var second = new NatRun("""{ "inside": "192.168.0.0/16", "outside": ["203.0.113.5","203.0.113.6","203.0.113.7"] }""");

        Assert.Equal(frames.Select(f => first.Send(f).Frame), frames.Select(f => second.Send(f).Frame));
    }

    [Fact]
    public void Process_SameInsideHost_AlwaysTheSameOutsideAddress()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": ["203.0.113.5","203.0.113.6","203.0.113.7","203.0.113.8"] }""");

        var addresses = Enumerable.Range(0, 30)
            .Select(i => nat.Send(PacketBuilder.Udp(Inside, (ushort)(7000 + i), NetAddress.FromIPv4(0xC6336400u + (uint)i), 53, "q"u8)).Parsed.Source)
            .Distinct();

        Assert.Single(addresses);
    }

    [Fact]
    public void MoveFlowsTo_TranslatedFlow_TheNewTableTranslatesItsReplies()
    {
        var nat = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5" }""");
        var syn = nat.Send(PacketBuilder.Tcp(Inside, 40000, Remote, 443, TcpFlags.Syn, 100, 0));
        var next = new NatRun("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5" }""");

        nat.Partition.MoveFlowsTo(next.Partition, 1, 2);
        var synAck = next.Send(PacketBuilder.Tcp(Remote, 443, Outside, syn.Parsed.SourcePort, TcpFlags.Syn | TcpFlags.Ack, 900, 101));

        Assert.Equal(PacketBuilder.Tcp(Remote, 443, Inside, 40000, TcpFlags.Syn | TcpFlags.Ack, 900, 101), synAck.Frame);
        Assert.Equal(0, nat.Partition.Flows.Count);
        Assert.Equal(1, next.Partition.Flows.Count);
    }

    [Theory]
    [InlineData("""{ "outside": "203.0.113.5" }""", "config: needs inside")]
    [InlineData("""{ "inside": "192.168.0.0/16" }""", "config: needs outside")]
    [InlineData("""{ "inside": "192.168.0.0/16", "outside": "192.168.0.1" }""", "config.outside: 192.168.0.1 is inside")]
    [InlineData("""{ "inside": "192.168.0.0/16", "outside": "2001:db8::1" }""", "config.outside: must be an IPv4 address")]
    [InlineData("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5", "ports": "3000-2000" }""", "config.ports: must be a port range")]
    [InlineData("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5", "onExhausted": "panic" }""", "config.onExhausted: must be")]
    [InlineData("""{ "inside": "192.168.0.0/16", "outside": "203.0.113.5", "pool": 1 }""", "config.pool: unknown field")]
    [InlineData("""{ "inside": "fd00::/8", "outside": "203.0.113.5" }""", "config.inside: holds no IPv4 network")]
    public void Load_BadConfig_RefusedNamingTheField(string config, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => NatRun.Chain(config));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A one-stage NAT chain on one partition, and the frames it lets out.</summary>
    private sealed class NatRun : IChainOutput, IPartitionOutput
    {
        private long _index;
        private byte[]? _rewritten;

        public NatRun(string config, int partition = 0, int partitionCount = 1) =>
            Partition = new ChainPartition(Chain(config), partition, this, partitionCount: partitionCount);

        public ChainPartition Partition { get; }

        public static ChainDefinition Chain(string config) =>
            ChainDefinition.Parse($$"""{ "stages": [ { "name": "nat", "type": "nat", "config": {{config}} } ] }""", "nat.json", AppContext.BaseDirectory);

        /// <summary>Runs <paramref name="frame"/>; returns the verdict and the frame as it left (itself when unchanged).</summary>
        public (Verdict Verdict, byte[] Frame, ParsedPacket Parsed) Send(byte[] frame, long time = Start)
        {
            _rewritten = null;
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            var verdict = Partition.Process(frame, parsed, malformed, frame.Length, time, ++_index);
            var left = _rewritten ?? frame;
            PacketParser.Parse(LinkType.Ethernet, left, out var leftParsed);
            return (verdict, left, leftParsed);
        }

        public IPartitionOutput ForPartition(ChainPartition partition) => this;

        public void Rewritten(in PacketContext packet) => _rewritten = packet.Frame.ToArray();

        public void Alert(Alert alert)
        {
        }

        public void FlowEnded(FlowRecord flow)
        {
        }

        public void Dropped(in PacketContext packet, string stage, string reason)
        {
        }

        public void Answered(in PacketContext packet, string stage, ReadOnlySpan<byte> response)
        {
        }

        public void BatchEnded(int packets, TimeSpan elapsed)
        {
        }

        public void Flush()
        {
        }
    }
}
