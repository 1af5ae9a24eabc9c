using AzNf.NetworkFunctions.Chain;
using AzNf.Generators;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.NetworkFunctions.Tests.Chain;

public sealed class ChainTallyTests
{
    private static readonly IReadOnlyList<SyntheticFrame> Traffic = SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = 60, Seed = 7, AttackEvery = 4 });

    private static ChainDefinition FullChain() => ChainDefinition.Load(Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "full.json"));

    [Fact]
    public void Sum_DeltasOfTwoHalves_EqualsTheWholeRun()
    {
        var chain = FullChain();
        var partition = new ChainPartition(chain, 0);
        int half = Traffic.Count / 2;

        Feed(partition, 0, half);
        var first = ChainTally.Of(partition);
        int flowsSoFar = partition.FinishedFlows.Count;
        int alertsSoFar = partition.Alerts.Alerts.Count;
        Feed(partition, half, Traffic.Count);
        partition.Finish();
        var second = ChainTally.Of(partition, flowsSoFar, alertsSoFar).Minus(first);
        var whole = ChainTally.Of(partition);
        var summed = ChainTally.Sum([first, second], chain.Stages.Count);

        Assert.True(whole.Alerts.Count > 0, "the traffic should raise alerts");
        Assert.True(whole.Dropped > 0, "the traffic should be dropped somewhere");
        Assert.Equal(Report(chain, whole), Report(chain, summed));
    }

    [Fact]
    public void From_EngineResult_SameAsFromTheSummedTallies()
    {
        var chain = FullChain();
        var partitions = new[] { new ChainPartition(chain, 0), new ChainPartition(chain, 1) };
        for (int i = 0; i < Traffic.Count; i++)
        {
            var frame = Traffic[i].Data;
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            var partition = partitions[malformed == MalformedReason.None ? AzNf.Packets.Flows.FlowKey.From(parsed, out _).PartitionOf(2) : 0];
            partition.Process(frame, parsed, malformed, frame.Length, Traffic[i].TimestampNanos, i + 1);
        }
        foreach (var partition in partitions)
        {
            partition.Finish();
        }

        var viaEngine = RunReport.From(new EngineResult(chain, partitions, Traffic.Count), "x.pcap", new Dictionary<string, long>());
        var viaTallies = RunReport.From(chain, ChainTally.Sum(partitions.Select(p => ChainTally.Of(p)), chain.Stages.Count), 2, "x.pcap", new Dictionary<string, long>());

        Assert.Equal(viaEngine.ToJson(), viaTallies.ToJson());
        Assert.Equal(Traffic.Count, viaEngine.Totals.Packets);
    }

    private static void Feed(ChainPartition partition, int from, int to)
    {
        for (int i = from; i < to; i++)
        {
            var frame = Traffic[i].Data;
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            partition.Process(frame, parsed, malformed, frame.Length, Traffic[i].TimestampNanos, i + 1);
        }
    }

    // Zero-valued counters may be absent from a difference; the report compares what was counted.
    private static string Report(ChainDefinition chain, ChainTally tally)
    {
        var report = RunReport.From(chain, tally, 1, "x.pcap", new Dictionary<string, long>());
        return (report with
        {
            Nfs = report.Nfs.Select(n => n with { Counters = new SortedDictionary<string, long>(n.Counters.Where(c => c.Value != 0).ToDictionary()) }).ToList(),
            FlowTable = report.FlowTable with { PeakFlows = 0 },
        }).ToJson();
    }
}
