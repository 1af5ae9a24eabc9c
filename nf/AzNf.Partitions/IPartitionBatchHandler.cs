namespace AzNf.Partitions;

/// <summary>
/// What a partition consumer feeds: the fast path (the chain in process) and the durable path
/// (orchestrations and entities) both implement it, and both the Event Hubs processor and the
/// local partitioned log call it, so the two paths see the same batches in the same order.
/// </summary>
/// <remarks>
/// Contract: calls for one partition never overlap and arrive in partition order. Handling is
/// idempotent by event sequence number: a packet whose event the handler has already handled
/// is skipped, so a batch redelivered after a crash (handled, not yet checkpointed) counts
/// once. When <see cref="HandleAsync"/> returns, the batch is handled as durably as the
/// implementation promises, and the consumer may checkpoint <see cref="PartitionBatch.LastSequenceNumber"/>.
/// </remarks>
public interface IPartitionBatchHandler
{
    /// <summary>This instance now owns <paramref name="partition"/>; state may be (re)loaded.</summary>
    ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation);

    /// <summary>Handles every packet of <paramref name="batch"/>, in order.</summary>
    ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation);

    /// <summary>
    /// Called, by a consumer that already holds it, with the batch that will follow the one being
    /// handled, while that one is handled: work that changes no state and does not depend on the
    /// current batch's outcome (the durable path cuts and uploads its claim here). The batch is
    /// then handled as usual; a handler that prepared nothing, or something that no longer fits,
    /// does the work then.
    /// </summary>
    ValueTask PrepareAsync(PartitionBatch next, CancellationToken cancellation) => ValueTask.CompletedTask;

    /// <summary>This instance no longer owns <paramref name="partition"/> (lost, shut down or end of input).</summary>
    ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation);
}

/// <summary>Why a partition stopped being handled here.</summary>
public enum PartitionCloseReason
{
    /// <summary>The input ended (the local log reached the end of the capture).</summary>
    EndOfInput,

    /// <summary>Another instance claimed the partition.</summary>
    OwnershipLost,

    /// <summary>The processor is stopping.</summary>
    Shutdown,
}
