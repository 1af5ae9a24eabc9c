using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Chain;

/// <summary>The report lists at most <c>report.maxFlows</c> flows, the largest by bytes; every flow still counts in the totals.</summary>
public class ReportFlowBoundTests
{
    private static RunReport Run(int maxFlows, byte[][] frames, int partitions)
    {
        var chain = ChainDefinition.Parse($$"""{ "report": { "maxFlows": {{maxFlows}} }, "stages": [ { "type": "counter" } ] }""", "bound.json", Path.GetTempPath());
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, nanosecondTimestamps: true))
        {
            long t = 1_767_225_600_000_000_000;
            foreach (var frame in frames)
            {
                writer.Write(t += 1000, frame);
            }
            stream = new MemoryStream(stream.ToArray());
        }
        using var capture = CaptureReader.Open(stream, "bound.pcap");
        var result = ChainEngine.Run(chain, capture, new EngineOptions { Partitions = partitions });
        return RunReport.From(result, "bound.pcap", capture.ReportCounts());
    }

    /// <summary>300 UDP flows; flow i sends i % 37 + 1 packets of (i % 11 + 1) × 10 bytes of payload.</summary>
    private static byte[][] Flows()
    {
        var client = NetAddress.Parse("192.168.1.1");
        var server = NetAddress.Parse("10.0.0.1");
        var frames = new List<byte[]>();
        for (int i = 0; i < 300; i++)
        {
            for (int p = 0; p <= i % 37; p++)
            {
                frames.Add(PacketBuilder.Udp(client, (ushort)(20000 + i), server, 53, new byte[((i % 11) + 1) * 10]));
            }
        }
        return [.. frames];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Report_MoreFlowsThanMaxFlows_ListsTheLargestAndCountsTheRest(int partitions)
    {
        var frames = Flows();
        var all = Run(10_000, frames, partitions);

        // 7 per partition: small enough that each partition trims its records several times.
        var bounded = Run(7, frames, partitions);

        Assert.Equal(300, all.Flows.Count);
        Assert.Equal(0, all.FlowTable.RecordsOmitted);
        var largest = all.Flows.OrderByDescending(f => f.Bytes).ThenBy(f => f.FirstPacketIndex).Take(7).OrderBy(f => f.FirstPacketIndex).ToList();
        Assert.Equal(largest, bounded.Flows);
        Assert.Equal(293, bounded.FlowTable.RecordsOmitted);
        Assert.Equal((all.Totals.Packets, all.Totals.Bytes, all.Totals.Forwarded), (bounded.Totals.Packets, bounded.Totals.Bytes, bounded.Totals.Forwarded));
        Assert.Equal(all.Nfs.Single().Counters, bounded.Nfs.Single().Counters);
    }

    [Fact]
    public void Chain_WithoutReportSetting_KeepsTenThousandFlows()
    {
        var chain = ChainDefinition.Parse("""{ "stages": [ { "type": "counter" } ] }""", "default.json", Path.GetTempPath());

        Assert.Equal(10_000, chain.MaxReportFlows);
        Assert.Equal(ChainDefinition.DefaultMaxReportFlows, chain.MaxReportFlows);
    }

    [Fact]
    public void Partition_ManyEndedFlows_HoldsAtMostTwiceTheBound()
    {
        var driver = PartitionDriver.ForChain("""{ "report": { "maxFlows": 5 }, "flowTable": { "capacity": 3 }, "stages": [ { "type": "counter" } ] }""");
        var client = NetAddress.Parse("192.168.1.1");
        var server = NetAddress.Parse("10.0.0.1");
        int most = 0;
        for (int i = 0; i < 1000; i++)
        {
            // A 3-flow table: every new flow evicts one, which ends it.
            driver.Send(PacketBuilder.Udp(client, (ushort)(1000 + i), server, 53, new byte[i % 50]), 1_000_000L * i);
            most = Math.Max(most, driver.Partition.FinishedFlows.Count);
        }
        var kept = driver.Finish();

        Assert.True(most < 10, $"the partition held {most} flow records");
        Assert.Equal(5, kept.Count);
        Assert.Equal(1000 - 5, driver.Partition.FlowRecordsOmitted);
    }
}
