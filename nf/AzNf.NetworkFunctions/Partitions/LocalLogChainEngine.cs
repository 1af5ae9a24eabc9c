using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;

namespace AzNf.NetworkFunctions.Partitions;

/// <summary>
/// The embedded runtime as <c>aznf run</c> uses it: the local partitioned log feeding the fast
/// path handler, i.e. the same batch, ordering and checkpoint protocol an Event Hubs consumer
/// follows. An inline run (one partition on the reading thread) stays on <see cref="ChainEngine"/>,
/// since it exists to have no partitions at all.
/// </summary>
public static class LocalLogChainEngine
{
    /// <summary>Runs <paramref name="chain"/> over every frame of <paramref name="capture"/>.</summary>
    public static EngineResult Run(ChainDefinition chain, CaptureReader capture, EngineOptions options, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Inline)
        {
            return ChainEngine.Run(chain, capture, options, progress, cancellation);
        }
        var handler = new ChainPartitionHandler(chain, options.Partitions);
        var log = new LocalPartitionedLog(options.Partitions, options.BatchPackets, options.QueueDepth);
        long frames = log.Feed(capture, handler, progress, cancellation);
        return handler.ToResult(frames);
    }
}
