namespace AzNf.NetworkFunctions.Chain;

/// <summary>Limits of the in-process engine: how work is split and how much may be in flight.</summary>
public sealed record EngineOptions
{
    /// <summary>Partitions (one thread each); packets are spread by flow key hash.</summary>
    public int Partitions { get; init; } = Environment.ProcessorCount;

    /// <summary>Packets handed to a partition at a time.</summary>
    public int BatchPackets { get; init; } = 256;

    /// <summary>Batches queued per partition before the reader waits (bounds memory).</summary>
    public int QueueDepth { get; init; } = 8;

    /// <summary>
    /// With one partition, run it on the reading thread instead of its own (no copy into
    /// batches, one thread in all): the fair setting next to a single-threaded peer.
    /// </summary>
    public bool Inline { get; init; }

    public void Validate()
    {
        if (Inline && Partitions != 1)
        {
            throw new ArgumentException("inline runs need exactly one partition", nameof(Inline));
        }
        if (Partitions is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(Partitions), Partitions, "partitions must be 1..1024");
        }
        if (BatchPackets is < 1 or > 65_536)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchPackets), BatchPackets, "batch size must be 1..65536 packets");
        }
        if (QueueDepth is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueDepth), QueueDepth, "queue depth must be 1..1024 batches");
        }
    }
}
