using System.Collections.Concurrent;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class DurableChainRunTests(AzuriteFixture azurite)
{
    public static TheoryData<string, ChainGranularity> SampleChainsAndGranularities()
    {
        var data = new TheoryData<string, ChainGranularity>();
        foreach (string chain in new[] { "counter", "firewall", "ids", "full" })
        {
            data.Add(chain, ChainGranularity.Flowlet);
            data.Add(chain, ChainGranularity.Batch);
        }
        data.Add("full", ChainGranularity.Packet);
        data.Add("full", ChainGranularity.Flow);
        // The chains with slice state (rate limiter, NAT) run in batches only.
        data.Add("guard", ChainGranularity.Batch);
        data.Add("edge", ChainGranularity.Batch);
        return data;
    }

    [Theory]
    [MemberData(nameof(SampleChainsAndGranularities))]
    public async Task RunAsync_SampleCapture_SameAnswersAsTheEmbeddedRuntime(string chainName, ChainGranularity granularity)
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", chainName + ".json");
        string capture = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng");
        var embedded = Embedded(chainFile, capture);

        var durable = await Durable(chainFile, capture, new DurableChainOptions { Granularity = granularity });

        Assert.Empty(durable.Failures);
        Assert.Equal(granularity, durable.Granularity);
        AssertSameAnswers(embedded, durable.Report);
    }

    /// <summary>
    /// Batch units over generated traffic with what the sample is short of: firewall drops, IDS
    /// alerts, UDP, ICMP, IPv6, many flows over several shards, and batches cut mid-flow.
    /// </summary>
    /// <remarks>
    /// With small maps, the shards keep their maps in blobs and write deltas over them (at most
    /// two before the next whole write), through the real backend's state serialisation.
    /// </remarks>
    [Theory]
    [InlineData(ChainMode.Fused, false)]
    [InlineData(ChainMode.Staged, false)]
    [InlineData(ChainMode.Fused, true)]
    [InlineData(ChainMode.Staged, true)]
    public async Task RunAsync_GeneratedTrafficInBatches_SameAnswersAsTheEmbeddedRuntime(ChainMode mode, bool smallMaps)
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = GeneratedCapture(flows: 60, seed: 5);
        var embedded = Embedded(chainFile, capture);
        var shards = smallMaps ? new FlowShardOptions { InlineMapBytes = 300, MaxMapDeltas = 2 } : new FlowShardOptions();

        var durable = await Durable(chainFile, capture, new DurableChainOptions { Granularity = ChainGranularity.Batch, Mode = mode, FlowShards = 3 }, batchPackets: 100, shards);

        Assert.Empty(durable.Failures);
        Assert.NotEmpty(embedded.Alerts);
        Assert.True(embedded.Totals.Dropped > 0);
        Assert.True(durable.Batches.ShardSteps > durable.Batches.Batches);
        Assert.Equal(durable.Batches.Batches, durable.Batches.Purged);
        AssertSameAnswers(embedded, durable.Report);
    }

    /// <summary>
    /// Rounds of traffic minutes apart in capture time: flows idle past their timeout end
    /// <c>expired</c> in the shards as in the embedded flow table (by the partition's capture clock,
    /// not the wall clock), with the same records. Fused only: a staged batch in which a flow
    /// expires after packets of it that later stages have still to run is a known gap (docs/durable.md).
    /// </summary>
    [Theory]
    [InlineData(ChainMode.Fused, false)]
    [InlineData(ChainMode.Fused, true)]
    public async Task RunAsync_TrafficWithIdleGaps_FlowsExpireAsInTheEmbeddedRuntime(ChainMode mode, bool smallMaps)
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = GeneratedCapture(flows: 40, seed: 11, rounds: 3, gapSeconds: 400);
        var embedded = Embedded(chainFile, capture);
        var shards = smallMaps ? new FlowShardOptions { InlineMapBytes = 300, MaxMapDeltas = 2 } : new FlowShardOptions();

        var durable = await Durable(chainFile, capture, new DurableChainOptions { Granularity = ChainGranularity.Batch, Mode = mode, FlowShards = 3 }, batchPackets: 100, shards);

        Assert.Empty(durable.Failures);
        Assert.True(embedded.Flows.Count(f => f.End == "expired") >= 40, $"{embedded.Flows.Count(f => f.End == "expired")} flows expired in the embedded run");
        AssertSameAnswers(embedded, durable.Report);
    }

    /// <summary>
    /// The guard (a rate limiter: per-source and per-destination SYN and packet buckets) under a
    /// SYN flood beside ordinary traffic: each (partition, flow shard) slice's buckets travel with
    /// the shard's flows, so the durable run drops exactly the packets the embedded run drops, with
    /// the same reasons and the limiter's counters.
    /// </summary>
    [Theory]
    [InlineData(ChainMode.Fused, false)]
    [InlineData(ChainMode.Staged, true)]
    public async Task RunAsync_GuardChainUnderASynFlood_SameDropsAsTheEmbeddedRuntime(ChainMode mode, bool smallMaps)
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "guard.json");
        string capture = FloodCapture(flows: 40, seed: 3, floodSources: 3, synsPerSource: 400);
        var embedded = Embedded(chainFile, capture);
        var shards = smallMaps ? new FlowShardOptions { InlineMapBytes = 300, MaxMapDeltas = 2 } : new FlowShardOptions();

        var durable = await Durable(chainFile, capture, new DurableChainOptions { Granularity = ChainGranularity.Batch, Mode = mode }, batchPackets: 100, shards);

        Assert.Empty(durable.Failures);
        Assert.True(embedded.Totals.DropReasons.GetValueOrDefault("ratelimit:source-syn") > 500, string.Join(", ", embedded.Totals.DropReasons));
        AssertSameAnswers(embedded, durable.Report);
    }

    [Fact]
    public async Task RunAsync_EdgeChainStaged_RefusedNamingTheRewritingStage()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "edge.json");
        string capture = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Durable(chainFile, capture, new DurableChainOptions { Granularity = ChainGranularity.Batch, Mode = ChainMode.Staged }));

        Assert.Contains("stage 'nat' rewrites packets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_GuardChainWithOtherShardsThanTheChains_RefusedNamingBoth()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "guard.json");
        string capture = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Durable(chainFile, capture, new DurableChainOptions { Granularity = ChainGranularity.Batch, FlowShards = 3 }));

        Assert.Contains("the run's flow shards (3) must be the chain's flowShards (4)", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The sample edge (guard, firewall, NAT, IDS) with clients behind the NAT whose server
    /// replies to their outside endpoints, beside a SYN flood and generated traffic: the NAT's
    /// ports fall into each flow's (partition, shard), a reply finds its flow in the shard's map by
    /// the flow's alias, and the durable run gives the embedded answers — translations included.
    /// With batches of 3 packets, many replies reach a step that holds no other packet of their
    /// flow: only the shard map's alias index leads them to it.
    /// </summary>
    [Theory]
    [InlineData(false, 50, 300, 30)]
    [InlineData(true, 50, 300, 30)]
    [InlineData(false, 3, 40, 0)]
    public async Task RunAsync_EdgeChainWithClientsBehindTheNat_SameAnswersAsTheEmbeddedRuntime(bool smallMaps, int batchPackets, int synsPerSource, int otherFlows)
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "edge.json");
        string folder = OracleProcess.TempDirectory("edge-durable");
        long start = new SyntheticTrafficOptions().StartNanos;
        string outbound = Path.Combine(folder, "outbound.pcap");
        EdgeTraffic.Write(outbound, EdgeTraffic.Clients(24, start, outsideEndpoints: null));
        var outside = EdgeTraffic.OutsideEndpoints(Embedded(chainFile, outbound).Flows.Select(f => (f.A, f.Translated)));
        string capture = Path.Combine(folder, "edge.pcap");
        EdgeTraffic.Write(capture, EdgeTraffic.Clients(24, start, outside)
            .Concat(EdgeTraffic.SynFlood(2, synsPerSource, NetAddress.Parse("10.0.0.10"), start))
            .Concat(otherFlows == 0 ? [] : SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = otherFlows, Seed = 9, StartNanos = start }).Select(f => (f.TimestampNanos, f.Data))));
        var embedded = Embedded(chainFile, capture);
        var shards = smallMaps ? new FlowShardOptions { InlineMapBytes = 300, MaxMapDeltas = 2 } : new FlowShardOptions();

        var durable = await Durable(chainFile, capture, new DurableChainOptions { Granularity = ChainGranularity.Batch }, batchPackets, shards);

        Assert.Empty(durable.Failures);
        var translated = embedded.Flows.Where(f => f.Translated is not null && f.A.StartsWith("192.168.1.", StringComparison.Ordinal) && f.PacketsBtoA == 3).ToList();
        Assert.Equal(24, translated.Count);
        Assert.True(synsPerSource < 300 || embedded.Totals.DropReasons.GetValueOrDefault("ratelimit:source-syn") > 0, string.Join(", ", embedded.Totals.DropReasons));
        AssertSameAnswers(embedded, durable.Report);
    }

    /// <summary>Generated traffic with a SYN flood from a few sources at 1,000 SYNs a second each, from its first second on.</summary>
    internal static string FloodCapture(int flows, int seed, int floodSources, int synsPerSource)
    {
        string path = Path.Combine(OracleProcess.TempDirectory("generated"), $"flood-{flows}-{seed}-{floodSources}x{synsPerSource}.pcap");
        var frames = SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = flows, Seed = seed })
            .Select(f => (f.TimestampNanos, f.Data)).ToList();
        frames.AddRange(EdgeTraffic.SynFlood(floodSources, synsPerSource, NetAddress.Parse("10.0.0.10"), frames[0].TimestampNanos));
        using var stream = File.Create(path);
        using var writer = new PcapWriter(stream, LinkType.Ethernet, nanosecondTimestamps: true);
        foreach (var (time, data) in frames.OrderBy(f => f.TimestampNanos))
        {
            writer.Write(time, data);
        }
        return path;
    }

    /// <summary>
    /// An egress gets exactly the packets the embedded runtime forwards (by capture index, with
    /// their bytes), each once: drops by the firewall and by IDS drop rules are not sent.
    /// </summary>
    [Theory]
    [InlineData(ChainMode.Fused)]
    [InlineData(ChainMode.Staged)]
    public async Task RunAsync_WithAnEgress_SendsExactlyTheForwardedPackets(ChainMode mode)
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = GeneratedCapture(flows: 60, seed: 5);
        var dropped = new DropRecorder();
        var chain = ChainDefinition.Load(chainFile);
        long frames;
        using (var reader = CaptureReader.Open(capture))
        {
            frames = ChainEngine.Run(chain, reader, new EngineOptions { Partitions = 2 }, output: dropped).FramesRead;
        }
        var egress = new RecordingEgress();

        var durable = await Durable(chainFile, capture, new DurableChainOptions { Granularity = ChainGranularity.Batch, Mode = mode, FlowShards = 3, Egress = egress }, batchPackets: 100);

        Assert.Empty(durable.Failures);
        Assert.NotEmpty(dropped.Indexes);
        var expected = Enumerable.Range(1, (int)frames).Select(i => (long)i).Except(dropped.Indexes).Order().ToList();
        Assert.Equal(expected, egress.Packets.Keys.Order().ToList());
        Assert.Equal(0, egress.Repeats);
        Assert.Equal(durable.Report.Totals.Forwarded, egress.Packets.Count);
        using var again = CaptureReader.Open(capture);
        long index = 0;
        while (again.TryRead(out var record))
        {
            index++;
            if (egress.Packets.TryGetValue(index, out byte[]? sent))
            {
                Assert.Equal(record.Data.ToArray(), sent);
            }
        }
    }

    [Fact]
    public async Task RunAsync_EgressWithoutBatchGranularity_RefusedNamingWhy()
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json");
        string capture = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Durable(chainFile, capture, new DurableChainOptions { Granularity = ChainGranularity.Flow, Egress = new RecordingEgress() }));
        Assert.Contains("an egress needs batch granularity", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The capture indexes of the packets an embedded run drops.</summary>
    private sealed class DropRecorder : IChainOutput
    {
        public ConcurrentBag<long> Indexes { get; } = [];

        public IPartitionOutput ForPartition(ChainPartition partition) => new Partition(Indexes);

        private sealed class Partition(ConcurrentBag<long> indexes) : IPartitionOutput
        {
            public void Alert(AzNf.NetworkFunctions.Alert alert)
            {
            }

            public void FlowEnded(FlowRecord flow)
            {
            }

            public void Dropped(in AzNf.NetworkFunctions.PacketContext packet, string stage, string reason) => indexes.Add(packet.Index);

            public void Answered(in AzNf.NetworkFunctions.PacketContext packet, string stage, ReadOnlySpan<byte> response)
            {
            }

            public void Rewritten(in AzNf.NetworkFunctions.PacketContext packet)
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

    /// <summary>Generated traffic; with several rounds, each a new seed starting <paramref name="gapSeconds"/> after the last packet of the one before.</summary>
    internal static string GeneratedCapture(int flows, int seed, int rounds = 1, int gapSeconds = 1)
    {
        string path = Path.Combine(OracleProcess.TempDirectory("generated"), $"traffic-{flows}-{seed}-{rounds}x{gapSeconds}.pcap");
        using var stream = File.Create(path);
        using var writer = new PcapWriter(stream, LinkType.Ethernet, nanosecondTimestamps: true);
        long start = new SyntheticTrafficOptions().StartNanos;
        for (int round = 0; round < rounds; round++)
        {
            var frames = SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = flows, Seed = seed + round, StartNanos = start });
            foreach (var frame in frames)
            {
                writer.Write(frame.TimestampNanos, frame.Data);
            }
            start = frames[^1].TimestampNanos + (gapSeconds * 1_000_000_000L);
        }
        return path;
    }

    internal static RunReport Embedded(string chainFile, string capturePath)
    {
        var chain = ChainDefinition.Load(chainFile);
        using var capture = CaptureReader.Open(capturePath);
        var result = ChainEngine.Run(chain, capture, new EngineOptions { Partitions = 2 });
        return RunReport.From(result, capture.Name, capture.Warnings.Counts);
    }

    internal async Task<DurableRunResult> Durable(string chainFile, string capturePath, DurableChainOptions options, int batchPackets = 32, FlowShardOptions? shards = null)
    {
        using var capture = CaptureReader.Open(capturePath);
        var request = new DurableRunRequest
        {
            ChainFile = chainFile,
            Runtime = new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("run"), ControlQueuePartitions = 2, FlowShards = shards ?? new FlowShardOptions() },
            Chain = options,
            Partitions = 2,
            BatchPackets = batchPackets,
        };
        return await DurableChainRun.RunAsync(request, capture);
    }

    /// <summary>Flows with their counts, alerts, totals and drops must be equal; NF-internal counters are the embedded runtime's only.</summary>
    internal static void AssertSameAnswers(RunReport expected, RunReport actual)
    {
        Assert.NotEmpty(expected.Flows);
        Assert.Equal(expected.Totals.Packets, actual.Totals.Packets);
        Assert.Equal(expected.Totals.Bytes, actual.Totals.Bytes);
        Assert.Equal(expected.Totals.Forwarded, actual.Totals.Forwarded);
        Assert.Equal(expected.Totals.Dropped, actual.Totals.Dropped);
        Assert.Equal(expected.Totals.DropReasons, actual.Totals.DropReasons);
        Assert.Equal(expected.Totals.Unparsed, actual.Totals.Unparsed);
        Assert.Equal(expected.Flows, actual.Flows);
        Assert.Equal(expected.Alerts, actual.Alerts);
        Assert.Equal(expected.Nfs.Select(n => (n.Name, n.PacketsIn, n.PacketsOut, n.Drops)), actual.Nfs.Select(n => (n.Name, n.PacketsIn, n.PacketsOut, n.Drops)));
        // Every NF counter the embedded report has (rule hits, conntrack transitions, IDS counters).
        foreach (var (embedded, durable) in expected.Nfs.Zip(actual.Nfs))
        {
            Assert.NotEmpty(embedded.Counters);
            Assert.Equal(embedded.Counters.Where(c => c.Value != 0), durable.Counters.Where(c => c.Value != 0 && c.Key != WorkResultTally.DeadlineMissesCounter));
        }
    }
}
