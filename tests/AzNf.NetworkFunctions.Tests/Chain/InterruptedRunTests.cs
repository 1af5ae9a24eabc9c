using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Chain;

/// <summary>A run asked to stop stops reading, handles what it read to the end and reports it as interrupted.</summary>
public class InterruptedRunTests
{
    private static CaptureReader Capture(int packets)
    {
        var stream = new MemoryStream();
        using (var writer = new PcapWriter(stream, LinkType.Ethernet, nanosecondTimestamps: true))
        {
            var client = NetAddress.Parse("192.168.1.1");
            var server = NetAddress.Parse("10.0.0.1");
            for (int i = 0; i < packets; i++)
            {
                writer.Write(1_767_225_600_000_000_000 + (i * 1000L), PacketBuilder.Udp(client, (ushort)(1024 + (i % 5000)), server, 53, new byte[16]));
            }
            stream = new MemoryStream(stream.ToArray());
        }
        return CaptureReader.Open(stream, "interrupt.pcap");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_StopRequestedMidway_ReportsExactlyThePacketsReadMarkedInterrupted(bool inline)
    {
        var chain = ChainDefinition.Parse("""{ "stages": [ { "type": "counter" } ] }""", "c.json", Path.GetTempPath());
        using var capture = Capture(200_000);
        using var stop = new CancellationTokenSource();

        // The engine reports progress every 65,536 packets: stop at the first report.
        var result = ChainEngine.Run(chain, capture, new EngineOptions { Partitions = inline ? 1 : 2, Inline = inline }, _ => stop.Cancel(), stop.Token);
        var report = RunReport.From(result, "interrupt.pcap", capture.ReportCounts());

        Assert.True(result.Interrupted);
        Assert.True(report.Input.Interrupted);
        Assert.InRange(result.FramesRead, 65_536, 199_999);
        Assert.Equal(result.FramesRead, report.Totals.Packets);
        Assert.Equal(report.Totals.Packets, report.Totals.Forwarded + report.Totals.Dropped);
        // Every flow it had seen is listed, ended as at the end of input.
        Assert.Equal(5000, report.Flows.Count);
        Assert.All(report.Flows, f => Assert.Equal("end-of-run", f.End));
        Assert.Equal(report.Totals.Packets, report.Flows.Sum(f => f.Packets));
    }

    [Fact]
    public void Run_NotStopped_IsNotMarkedInterrupted()
    {
        var chain = ChainDefinition.Parse("""{ "stages": [ { "type": "counter" } ] }""", "c.json", Path.GetTempPath());
        using var capture = Capture(1000);

        var result = ChainEngine.Run(chain, capture, new EngineOptions { Partitions = 2 });
        var report = RunReport.From(result, "interrupt.pcap", capture.ReportCounts());

        Assert.False(result.Interrupted);
        Assert.Null(report.Input.Interrupted);
        Assert.Equal(1000, report.Totals.Packets);
    }
}
