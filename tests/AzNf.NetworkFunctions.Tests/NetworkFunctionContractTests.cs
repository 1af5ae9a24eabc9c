using AzNf.NetworkFunctions.Chain;
using AzNf.Generators;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests;

/// <summary>
/// What every network function promises, whatever it does: garbage and truncated frames never
/// throw, the same packets give the same verdicts, and steady-state processing allocates
/// nothing. Each NF's tests inherit this suite with a chain that holds that NF.
/// </summary>
public abstract class NetworkFunctionContractTests
{
    /// <summary>A chain JSON whose stages are the NF under test; rule paths relative to <see cref="BaseDirectory"/>.</summary>
    protected abstract string ChainJson { get; }

    protected virtual string BaseDirectory => AppContext.BaseDirectory;

    private ChainPartition NewPartition() => new(ChainDefinition.Parse(ChainJson, "contract.json", BaseDirectory), 0);

    /// <summary>A small mix: a TCP conversation with payload, UDP, ICMP, IPv6.</summary>
    protected static List<byte[]> Traffic(bool hostile = true, int flows = 40) =>
        SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = flows, Seed = 7, AttackEvery = hostile ? 4 : 0 })
            .Select(f => f.Data).ToList();

    [Fact]
    public void Process_EveryTruncationOfEveryFrame_NeverThrows()
    {
        var partition = NewPartition();
        long index = 0;

        foreach (var frame in Traffic().Take(60))
        {
            for (int length = 0; length <= frame.Length; length++)
            {
                var span = frame.AsSpan(0, length);
                var malformed = PacketParser.Parse(LinkType.Ethernet, span, out var parsed);
                partition.Process(span, parsed, malformed, frame.Length, ++index, index);
            }
        }

        Assert.Equal(index, partition.Packets);
    }

    [Fact]
    public void Process_RandomGarbage_NeverThrows()
    {
        var partition = NewPartition();
        var random = new Random(42);
        var frame = new byte[1600];

        for (int i = 1; i <= 5000; i++)
        {
            random.NextBytes(frame);
            // Keep an IPv4 or IPv6 ethertype on most frames so garbage reaches the deeper parsers.
            frame[12] = i % 3 == 0 ? (byte)0x86 : (byte)0x08;
            frame[13] = i % 3 == 0 ? (byte)0xDD : (byte)0x00;
            frame[14] = i % 3 == 0 ? (byte)(0x60 | (frame[14] & 0x0F)) : (byte)(0x45 + (i % 11));
            var span = frame.AsSpan(0, random.Next(0, frame.Length));
            var malformed = PacketParser.Parse(LinkType.Ethernet, span, out var parsed);
            partition.Process(span, parsed, malformed, span.Length, i * 1000L, i);
        }

        Assert.Equal(5000, partition.Packets);
    }

    [Fact]
    public void Process_SameTrafficTwice_SameVerdicts()
    {
        var traffic = Traffic();

        var first = Run(NewPartition(), traffic);
        var second = Run(NewPartition(), traffic);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Process_SteadyState_AllocatesNothingPerPacket()
    {
        // Benign traffic: an alert is a rare event and may allocate its record.
        var traffic = Traffic(hostile: false, flows: 150);
        var partition = NewPartition();
        Run(partition, traffic); // warm up: flows created, buffers pooled
        ReplayKnownFlows(partition, traffic); // and the JIT's tiers settled

        int alerts = partition.Alerts.Alerts.Count;
        long packetsBefore = partition.Packets;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 20; round++)
        {
            ReplayKnownFlows(partition, traffic);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long replayed = partition.Packets - packetsBefore;

        // Less than one byte per packet: no per-packet allocation (the smallest object is 24
        // bytes). Not exactly zero because the runtime's background JIT now and then charges a
        // few KB to whichever thread runs.
        Assert.True(allocated < replayed, $"{allocated} bytes allocated over {replayed} packets");
        Assert.Equal(alerts, partition.Alerts.Alerts.Count); // the premise: benign traffic raises no alert
        Assert.True(replayed > traffic.Count * 10, "at least half the traffic was replayed through the chain");
    }

    private static List<Verdict> Run(ChainPartition partition, List<byte[]> traffic)
    {
        var verdicts = new List<Verdict>(traffic.Count);
        long index = 0;
        foreach (var frame in traffic)
        {
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            verdicts.Add(partition.Process(frame, parsed, malformed, frame.Length, 1_000_000 * ++index, index));
        }
        return verdicts;
    }

    // Replays only mid-connection packets (no SYN, FIN or RST) at a fixed time, so no flow
    // starts, ends or expires: what remains is the per-packet path.
    private static void ReplayKnownFlows(ChainPartition partition, List<byte[]> traffic)
    {
        foreach (var frame in traffic)
        {
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            if (parsed.IsTcp && (parsed.TcpFlags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) != 0)
            {
                continue;
            }
            partition.Process(frame, parsed, malformed, frame.Length, 1_000_000 * traffic.Count, 1);
        }
    }
}

public class PacketCounterContractTests : NetworkFunctionContractTests
{
    protected override string ChainJson => """{ "stages": [ { "type": "counter" } ] }""";
}

public class FirewallContractTests : NetworkFunctionContractTests
{
    protected override string ChainJson => """
        { "variables": { "HOME_NET": "[10.0.0.0/8,fd00::/8]" },
          "stages": [ { "type": "firewall", "rules": "samples/rules/firewall.rules" } ] }
        """;

    protected override string BaseDirectory => AzNf.TestOracles.OracleProcess.RepositoryRoot();
}

public class IdsContractTests : NetworkFunctionContractTests
{
    protected override string ChainJson => """
        { "variables": { "HOME_NET": "[10.0.0.0/8,fd00::/8]", "EXTERNAL_NET": "any", "HTTP_PORTS": "80" },
          "stages": [ { "type": "ids", "rules": "samples/rules/ids.rules" } ] }
        """;

    protected override string BaseDirectory => AzNf.TestOracles.OracleProcess.RepositoryRoot();
}

public class FullChainContractTests : NetworkFunctionContractTests
{
    protected override string ChainJson => File.ReadAllText(Path.Combine(BaseDirectory, "full.json"));

    protected override string BaseDirectory => Path.Combine(AzNf.TestOracles.OracleProcess.RepositoryRoot(), "samples", "chains");
}

/// <summary>Two firewalls and two IDSs in one chain: each stage keeps its own per-flow state.</summary>
public class TwoOfEachChainContractTests : NetworkFunctionContractTests
{
    protected override string ChainJson => """
        { "variables": { "HOME_NET": "[10.0.0.0/8,fd00::/8]", "EXTERNAL_NET": "any", "HTTP_PORTS": "80" },
          "stages": [ { "name": "fw-edge", "type": "firewall", "rules": "samples/rules/firewall.rules" },
                      { "name": "ids-edge", "type": "ids", "rules": "samples/rules/ids.rules" },
                      { "name": "fw-tenant", "type": "firewall", "rules": "samples/rules/firewall.rules" },
                      { "name": "ids-tenant", "type": "ids", "rules": "samples/rules/ids.rules" } ] }
        """;

    protected override string BaseDirectory => AzNf.TestOracles.OracleProcess.RepositoryRoot();
}

public class RateLimiterContractTests : NetworkFunctionContractTests
{
    // Tight enough that the contract's traffic is partly dropped: the drop path is exercised too.
    protected override string ChainJson => """
        { "stages": [ { "type": "ratelimit", "config": {
            "bySource": { "packetsPerSecond": 200, "bitsPerSecond": 1000000, "synPerSecond": 5 },
            "byDestination": { "synPerSecond": 20 }, "maxAddresses": 16 } } ] }
        """;
}

public class GuardChainContractTests : NetworkFunctionContractTests
{
    protected override string ChainJson => File.ReadAllText(Path.Combine(BaseDirectory, "guard.json"));

    protected override string BaseDirectory => Path.Combine(AzNf.TestOracles.OracleProcess.RepositoryRoot(), "samples", "chains");
}

public class SourceNatContractTests : NetworkFunctionContractTests
{
    // The contract's clients are 192.168.x.y: their flows are translated; a small pool and few
    // mappings so that exhaustion and reclaiming run too.
    protected override string ChainJson => """
        { "stages": [ { "type": "nat", "config": {
            "inside": "192.168.0.0/16", "outside": ["203.0.113.5", "203.0.113.6"],
            "ports": "40000-40063", "maxMappings": 48, "onExhausted": "reuse-oldest" } } ] }
        """;
}

public class EdgeChainContractTests : NetworkFunctionContractTests
{
    protected override string ChainJson => File.ReadAllText(Path.Combine(BaseDirectory, "edge.json"));

    protected override string BaseDirectory => Path.Combine(AzNf.TestOracles.OracleProcess.RepositoryRoot(), "samples", "chains");
}
