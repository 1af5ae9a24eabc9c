using System.Diagnostics;
using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;

namespace AzNf.Study;

/// <summary>Runs a capture through a chain on the embedded runtime and measures it.</summary>
public static class EmbeddedMeasurer
{
    /// <summary>One run: wall time from opening the capture to the last partition's end, and every batch's latency.</summary>
    public static RunSample Measure(ChainDefinition chain, string capturePath, int partitions, CancellationToken cancellation = default)
    {
        var latencies = new BatchLatencies();
        var clock = Stopwatch.StartNew();
        using var capture = CaptureReader.Open(capturePath);
        var result = ChainEngine.Run(chain, capture, new EngineOptions { Partitions = partitions }, cancellation: cancellation, output: latencies);
        double seconds = clock.Elapsed.TotalSeconds;
        return new RunSample(seconds, result.Partitions.Sum(p => p.Packets), result.Partitions.Sum(p => p.Bytes), latencies.All());
    }

    /// <summary>Each partition's batch latencies, kept per partition (one thread each) without locks.</summary>
    private sealed class BatchLatencies : IChainOutput
    {
        private readonly List<List<double>> _partitions = [];

        public IPartitionOutput ForPartition(ChainPartition partition)
        {
            var list = new List<double>();
            lock (_partitions)
            {
                _partitions.Add(list);
            }
            return new Recorder(list);
        }

        public List<double> All()
        {
            lock (_partitions)
            {
                return _partitions.SelectMany(p => p).ToList();
            }
        }

        private sealed class Recorder(List<double> latencies) : IPartitionOutput
        {
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

            public void Rewritten(in PacketContext packet)
            {
            }

            public void BatchEnded(int packets, TimeSpan elapsed) => latencies.Add(elapsed.TotalMilliseconds);

            public void Flush()
            {
            }
        }
    }
}
