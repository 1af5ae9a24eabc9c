namespace AzNf.Partitions;

/// <summary>
/// A handler whose <see cref="IPartitionBatchHandler.HandleAsync"/> returns before what it did is
/// durable (the fast path commits its flows every few seconds): the consumer checkpoints a
/// partition no further than the handler says, so a restart replays everything not yet stored.
/// </summary>
public interface IPartitionCheckpointGate
{
    /// <summary>The last sequence number of <paramref name="partition"/> whose effects are stored (-1: none).</summary>
    long CheckpointableThrough(int partition);
}
