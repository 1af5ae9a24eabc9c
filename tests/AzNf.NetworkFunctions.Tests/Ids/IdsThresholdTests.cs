using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Ids;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>Threshold counters: shared by the partitions of a stage, windows in packet time, bounded.</summary>
public class IdsThresholdTests
{
    private const string LimitRule = "alert udp any any -> any 53 (msg:\"limit\"; content:\"q\"; threshold: type limit, track by_src, count 2, seconds 10; sid:1;)";

    private static Verdict Send(IntrusionDetector detector, int flow, string source, long seconds)
    {
        var frame = PacketBuilder.Udp(NetAddress.Parse(source), 1000, NetAddress.Parse("10.0.0.53"), 53, "q"u8);
        PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
        var context = new PacketContext { Frame = frame, Packet = parsed, WireLength = frame.Length, TimestampNanos = seconds * 1_000_000_000L };
        detector.StartFlow(flow);
        var verdict = detector.Process(ref context, flow);
        detector.EndFlow(flow);
        return verdict;
    }

    private static long Counter(IntrusionDetector detector, string name)
    {
        var counters = new Dictionary<string, long>();
        detector.ReportCounters(counters);
        return counters[name];
    }

    [Fact]
    public void Limit_MatchesInTwoPartitions_CountedTogetherPerSource()
    {
        var definition = IdsDefinition.Parse(LimitRule, "t.rules");
        var alerts = new AlertLog();
        var first = (IntrusionDetector)definition.CreateInstance(new PartitionResources(0, alerts));
        var second = (IntrusionDetector)definition.CreateInstance(new PartitionResources(1, alerts));

        Send(first, 1, "192.0.2.1", 100);
        Send(second, 1, "192.0.2.1", 101);
        Send(first, 2, "192.0.2.1", 102);
        Send(second, 2, "192.0.2.2", 103);
        Send(second, 3, "192.0.2.1", 111);

        // 192.0.2.1: two alerts in its window, the third suppressed, a new window at 111 s; 192.0.2.2 its own counter.
        Assert.Equal(4, alerts.Alerts.Count);
        Assert.Equal(1, Counter(first, "thresholds:suppressed"));
        Assert.Equal(0, Counter(second, "thresholds:suppressed"));
    }

    [Fact]
    public void TableFull_NoExpiredEntry_AlertsUncountedAndCounted()
    {
        var definition = IdsDefinition.Parse(LimitRule, "t.rules", options: new IdsOptions { ThresholdEntries = 1 });
        var alerts = new AlertLog();
        var detector = (IntrusionDetector)definition.CreateInstance(new PartitionResources(0, alerts));

        Send(detector, 1, "192.0.2.1", 100);
        Send(detector, 2, "192.0.2.2", 101);
        Send(detector, 3, "192.0.2.3", 200);

        Assert.Equal(3, alerts.Alerts.Count);
        Assert.Equal(1, Counter(detector, "thresholds:table-full"));
        Assert.Equal(1, definition.Thresholds.Count);
    }

    [Theory]
    [InlineData("threshold: type limit, track by_flow, count 1, seconds 1;", "track 'by_flow'")]
    [InlineData("threshold: type limit, count 1, seconds 1;", "needs type, track, count and seconds")]
    [InlineData("threshold: type often, track by_src, count 1, seconds 1;", "threshold type 'often'")]
    [InlineData("detection_filter: track by_src, count 1, seconds 0;", "seconds '0'")]
    [InlineData("threshold: type limit, track by_src, count 1, seconds 1; detection_filter: track by_src, count 1, seconds 1;", "one threshold")]
    public void Parse_BadThreshold_Rejected(string options, string reason)
    {
        var harness = new IdsTestHarness($"alert udp any any -> any any (content:\"a\"; {options} sid:1;)");

        Assert.Equal(0, harness.Definition.RulesLoaded);
        Assert.Contains(reason, Assert.Single(harness.Diagnostics.Warnings).Message, StringComparison.Ordinal);
    }
}
