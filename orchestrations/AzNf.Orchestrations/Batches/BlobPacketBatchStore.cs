using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// The packet store on Azure Blob Storage: one block blob per batch in one container
/// (<c>{taskhub}-packets</c> by convention), uploaded in one request up to the client's
/// single-upload size, read by HTTP range.
/// </summary>
public sealed class BlobPacketBatchStore : IPacketBatchStore
{
    private readonly BlobContainerClient _container;
    private int _created;

    public BlobPacketBatchStore(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
    }

    /// <summary>The container a task hub's batches go to: lower case, as container names must be.</summary>
    public static string ContainerName(string taskHub) => $"{taskHub.ToLowerInvariant()}-packets";

    public async Task PutAsync(string blob, ReadOnlyMemory<byte> content, CancellationToken cancellation = default)
    {
        if (Volatile.Read(ref _created) == 0)
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
            Volatile.Write(ref _created, 1);
        }
        var options = new BlobUploadOptions
        {
            // One request per batch: Azure accepts a single Put Blob of up to 5,000 MiB.
            TransferOptions = new Azure.Storage.StorageTransferOptions { InitialTransferSize = int.MaxValue, MaximumTransferSize = int.MaxValue, MaximumConcurrency = 1 },
        };
        await _container.GetBlobClient(blob).UploadAsync(BinaryData.FromBytes(content), options, cancellation).ConfigureAwait(false);
    }

    public async Task<ReadOnlyMemory<byte>> ReadAsync(string blob, long offset, int length, CancellationToken cancellation = default)
    {
        try
        {
            // Streamed straight into a buffer of the slice's size: DownloadContent buffers the
            // response and copies it again (measured: 4.7 ms of client CPU per MB against 1.2 in
            // Azurite, aznf bench-storage).
            var response = await _container.GetBlobClient(blob)
                .DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellation)
                .ConfigureAwait(false);
            using var content = response.Value.Content;
            var bytes = new byte[length];
            int read = await content.ReadAtLeastAsync(bytes, length, throwOnEndOfStream: false, cancellation).ConfigureAwait(false);
            if (read != length)
            {
                throw new PacketSliceException($"{blob} @ {offset}: read {read} bytes of a {length}-byte slice");
            }
            return bytes;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 416)
        {
            throw new PacketSliceException($"{blob} @ {offset}: the batch blob is gone or shorter than its reference ({e.ErrorCode}); was it purged before the batch ran?");
        }
    }

    public async Task<ReadOnlyMemory<byte>?> ReadAllAsync(string blob, CancellationToken cancellation = default)
    {
        try
        {
            var response = await _container.GetBlobClient(blob).DownloadContentAsync(cancellation).ConfigureAwait(false);
            return response.Value.Content.ToMemory();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        if (!await _container.ExistsAsync(cancellation).ConfigureAwait(false))
        {
            yield break;
        }
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellation).ConfigureAwait(false))
        {
            yield return item.Name;
        }
    }

    public async Task DeleteAsync(string blob, CancellationToken cancellation = default) =>
        await _container.GetBlobClient(blob).DeleteIfExistsAsync(cancellationToken: cancellation).ConfigureAwait(false);
}
