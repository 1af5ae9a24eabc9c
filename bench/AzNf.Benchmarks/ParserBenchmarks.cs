using AzNf.Generators;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using BenchmarkDotNet.Attributes;

namespace AzNf.Benchmarks;

/// <summary>Parsing and flow-key cost per packet, without any NF.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ParserBenchmarks
{
    private const int Packets = 4096;
    private BenchmarkTraffic _traffic = null!;

    [Params(64, 512, 1500)]
    public int FrameSize { get; set; }

    [GlobalSetup]
    public void Setup() => _traffic = BenchmarkTraffic.Create(FrameSize, Packets / 2, dataPerFlow: 2);

    [Benchmark(OperationsPerInvoke = Packets)]
    public ulong ParseAndKey()
    {
        ulong sum = 0;
        var frames = _traffic.Data;
        for (int i = 0; i < frames.Count; i++)
        {
            PacketParser.Parse(LinkType.Ethernet, frames[i], out var parsed);
            sum += FlowKey.From(parsed, out _).StableHash;
        }
        return sum;
    }
}
