using System.Text.Json;
using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Outputs.Eve;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Outputs.Tests;

public class EveLiveStatsTests
{
    [Fact]
    public void StartStats_WhileARunGoes_WritesStatsEventsWithThePartitionsCountsUntilDisposed()
    {
        string path = Path.Combine(OracleProcess.TempDirectory("eve-live"), "eve.json");
        var chain = ChainDefinition.Parse("""{ "stages": [ { "type": "counter" } ] }""", "live.json", Path.GetTempPath());
        using var file = EveFile.Open(path);
        var eve = new EveOutput(file);
        var partition = new ChainPartition(chain, 0, eve);
        var client = NetAddress.Parse("192.168.1.1");
        var server = NetAddress.Parse("10.0.0.1");
        for (int i = 0; i < 10; i++)
        {
            byte[] frame = PacketBuilder.Udp(client, (ushort)(1000 + i), server, 53, new byte[20]);
            PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            partition.Process(frame, parsed, MalformedReason.None, frame.Length, 1_000_000_000L * i, i + 1);
        }

        using (eve.StartStats(TimeSpan.FromMilliseconds(40)))
        {
            // Timer callbacks wait for a thread-pool thread, which a busy test host may give late:
            // wait for two events, not for a time.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (eve.EventCounts["stats"] < 2 && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(20);
            }
        }
        long written = eve.EventCounts["stats"];
        Thread.Sleep(150);
        file.Flush();

        Assert.True(written >= 2, $"{written} stats events in 30 s at one per 40 ms");
        Assert.Equal(written, eve.EventCounts["stats"]);
        var stats = File.ReadLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(written, stats.Count);
        Assert.All(stats, e =>
        {
            Assert.Equal("stats", e.GetProperty("event_type").GetString());
            Assert.Equal(10, e.GetProperty("stats").GetProperty("decoder").GetProperty("pkts").GetInt64());
            Assert.Equal(10, e.GetProperty("stats").GetProperty("flow").GetProperty("active").GetInt64());
            Assert.Equal(10, e.GetProperty("stats").GetProperty("aznf").GetProperty("forwarded").GetInt64());
        });
    }
}
