using System.Diagnostics;
using AzNf.Partitions;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// The embedded runtime: the capture goes through the local partitioned log (each frame to the
/// partition its flow key hashes to, the mapping Event Hubs partitioning uses), each partition on
/// its own thread; or, inline, every frame through one partition on the reading thread.
/// </summary>
public static class ChainEngine
{
    /// <summary>Runs <paramref name="chain"/> over every frame of <paramref name="capture"/>; <paramref name="output"/> gets alerts, ended flows and drops as they happen.</summary>
    public static EngineResult Run(ChainDefinition chain, CaptureReader capture, EngineOptions options, Action<long>? progress = null, CancellationToken cancellation = default, IChainOutput? output = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Inline)
        {
            return RunInline(chain, capture, progress, cancellation, output);
        }
        // The same consumer protocol the Event Hubs processor follows: batches per partition, in
        // order, to a partition batch handler, checkpointed after each.
        var handler = new ChainPartitionHandler(chain, options.Partitions, output: output);
        var log = new LocalPartitionedLog(options.Partitions, options.BatchPackets, options.QueueDepth);
        // The engine's cancellation is a stop request: what was read is handled to the end.
        long frames = log.Feed(capture, handler, progress, stopReading: cancellation);
        return handler.ToResult(frames) with { Interrupted = log.Interrupted };
    }

    private static EngineResult RunInline(ChainDefinition chain, CaptureReader capture, Action<long>? progress, CancellationToken cancellation, IChainOutput? output)
    {
        var partition = new ChainPartition(chain, 0, output);
        long started = Stopwatch.GetTimestamp();
        long index = 0;
        bool interrupted = false;
        while (!(interrupted = cancellation.IsCancellationRequested) && capture.TryRead(out var record))
        {
            index++;
            var malformed = PacketParser.Parse(record.LinkType, record.Data, out var parsed);
            partition.Process(record.Data, parsed, malformed, record.OriginalLength, record.TimestampNanos, index);
            if ((index & 0xFFFF) == 0)
            {
                partition.EndBatch(0x10000, Stopwatch.GetElapsedTime(started));
                started = Stopwatch.GetTimestamp();
                progress?.Invoke(capture.Position);
            }
        }
        progress?.Invoke(capture.Position);
        partition.Finish();
        return new EngineResult(chain, [partition], index) { Interrupted = interrupted };
    }
}

/// <summary>
/// The partitions after a run, ready to be turned into a report. <see cref="Interrupted"/>: the
/// run was cancelled and stopped reading after <see cref="FramesRead"/> frames, each of which was
/// handled to the end (its flows ended as at the end of input).
/// </summary>
public sealed record EngineResult(ChainDefinition Chain, IReadOnlyList<ChainPartition> Partitions, long FramesRead)
{
    public bool Interrupted { get; init; }
}
