namespace AzNf.Orchestrations.Batches;

/// <summary>
/// Where a batch's packets are claim-checked: written once by the partition owner, read by range
/// by the flow shards, deleted once the batch's results are consumed. Blob storage on every host
/// (Azurite locally, the task hub's storage account on Azure), so an NF step reads its packets
/// through storage wherever it runs.
/// </summary>
public interface IPacketBatchStore
{
    /// <summary>Writes (or overwrites with the same bytes, on a redelivery) a batch blob.</summary>
    Task PutAsync(string blob, ReadOnlyMemory<byte> content, CancellationToken cancellation = default);

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/>.</summary>
    /// <exception cref="PacketSliceException">The blob is missing or shorter than asked; the message names it.</exception>
    Task<ReadOnlyMemory<byte>> ReadAsync(string blob, long offset, int length, CancellationToken cancellation = default);

    /// <summary>Reads a whole blob; null when there is none.</summary>
    Task<ReadOnlyMemory<byte>?> ReadAllAsync(string blob, CancellationToken cancellation = default);

    /// <summary>The names of the blobs that start with <paramref name="prefix"/>, in name order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellation = default);

    /// <summary>Deletes a batch blob; a missing one is not an error.</summary>
    Task DeleteAsync(string blob, CancellationToken cancellation = default);
}
