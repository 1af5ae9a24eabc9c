using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Packets.Capture;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// A capture posted to a running chain without Event Hubs (the Functions app's packet endpoint):
/// the packets go through the same flow-key partitioning and the same durable handler as events
/// would, and the caller gets the report of what the chain did with them.
/// </summary>
/// <remarks>
/// Every post numbers its packets above every earlier post's (a base from the clock, in steps of
/// <see cref="MaxPacketsPerPost"/>), so flow entities never take a later post for a redelivery.
/// Event Hubs sequence numbers are far below that base: feed a flow by posts or by the hub, not
/// both.
/// </remarks>
public static class PacketPost
{
    /// <summary>Packets one post may hold; the sequence space of one post.</summary>
    public const long MaxPacketsPerPost = 1_000_000;

    private static long s_lastBase;

    /// <summary>Runs <paramref name="capture"/> through <paramref name="chain"/> on <paramref name="hub"/> and reports it.</summary>
    /// <exception cref="PacketPostLimitException">The capture holds more than <paramref name="maxPackets"/> packets; nothing of it ran.</exception>
    public static async Task<RunReport> RunAsync(
        IChainTaskHub hub,
        ChainDefinition chain,
        byte[] capture,
        string captureName,
        int partitions,
        int maxPackets,
        DurableChainOptions options,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPackets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPackets, MaxPacketsPerPost);

        // Counted before anything runs, so a post over the limit changes no state.
        long packets = 0;
        using (var counting = CaptureReader.Open(new MemoryStream(capture, writable: false), captureName))
        {
            while (counting.TryRead(out _))
            {
                if (++packets > maxPackets)
                {
                    throw new PacketPostLimitException($"{captureName}: more than {maxPackets} packets (the post limit)");
                }
            }
        }

        long sequenceBase = NextBase();
        var handler = new DurableChainHandler(hub, chain, options with { SequenceBase = sequenceBase, KeepUnitResults = true });
        using var reader = CaptureReader.Open(new MemoryStream(capture, writable: false), captureName);
        var log = new LocalPartitionedLog(partitions, sequenceBase: sequenceBase);
        await Task.Run(() => log.Feed(reader, handler, cancellation: cancellation), cancellation);
        if (handler.FailureCount > 0)
        {
            throw new InvalidOperationException($"{handler.FailureCount} units failed, e.g. {handler.Failures.First()}");
        }
        var tally = ChainTally.Sum(await handler.ReadTalliesAsync(cancellation), chain.Stages.Count);
        return RunReport.From(chain, tally, partitions, captureName, reader.ReportCounts());
    }

    private static long NextBase()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * MaxPacketsPerPost;
        while (true)
        {
            long last = Interlocked.Read(ref s_lastBase);
            long next = Math.Max(now, last + MaxPacketsPerPost);
            if (Interlocked.CompareExchange(ref s_lastBase, next, last) == last)
            {
                return next;
            }
        }
    }
}
