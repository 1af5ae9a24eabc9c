using AzNf.NetworkFunctions.Chain;
using AzNf.Generators;
using AzNf.Packets.Parsing;
using BenchmarkDotNet.Attributes;

namespace AzNf.Benchmarks;

/// <summary>
/// One partition (one core): parse + the chain, per packet, with every flow already open.
/// Each invocation replays every data frame once, its TCP sequence numbers moved one replay
/// ahead so reassembly sees new bytes, not retransmissions.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ChainBenchmarks
{
    /// <summary>Live flows, two data frames each; 100k is the firewall target's working set.</summary>
    private const int Flows = 100_000;
    private const int DataFrames = Flows * 2;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "aznf-bdn-" + Environment.ProcessId);
    private BenchmarkTraffic _traffic = null!;
    private ChainPartition _partition = null!;

    [ParamsSource(nameof(ChainNames))]
    public string Chain { get; set; } = "counter";

    [Params(64, 512, 1500)]
    public int FrameSize { get; set; }


    public static IEnumerable<string> ChainNames => BenchmarkChains.Names;

    [GlobalSetup]
    public void Setup()
    {
        _traffic = BenchmarkTraffic.Create(FrameSize, Flows, dataPerFlow: DataFrames / Flows);
        _partition = new ChainPartition(BenchmarkChains.Create(Chain, _folder), 0);
        Replay(_traffic.Handshakes);
        Replay(_traffic.Data);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(OperationsPerInvoke = DataFrames)]
    public void Packet()
    {
        _traffic.AdvanceSequences();
        Replay(_traffic.Data);
    }

    private void Replay(IReadOnlyList<byte[]> frames)
    {
        for (int i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            _partition.Process(frame, parsed, malformed, frame.Length, 1_000_000_000, i + 1);
        }
    }
}
