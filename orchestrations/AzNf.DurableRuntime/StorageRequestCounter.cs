using Azure.Core;
using Azure.Core.Pipeline;

namespace AzNf.DurableRuntime;

/// <summary>
/// Counts every request the task hub's storage clients send (blob, queue, table — queue polls
/// included) and the bytes each way: what the durable path costs in storage transactions, which
/// Azure bills and which bound its throughput. A pipeline policy at <see cref="HttpPipelinePosition.PerRetry"/>,
/// so a retried request counts each time it goes on the wire, as the service sees it.
/// </summary>
/// <remarks>
/// The durable runtime puts this in front of every client it builds; other policies (fault
/// injection, say) go into the same pipelines through <see cref="DurableRuntimeOptions.StoragePolicies"/>.
/// </remarks>
public sealed class StorageRequestCounter
{
    private readonly long[] _requests = new long[3];
    private long _retries;
    private long _bytesSent;
    private long _bytesReceived;

    public long Requests => BlobRequests + QueueRequests + TableRequests;

    public long BlobRequests => Interlocked.Read(ref _requests[(int)StorageService.Blob]);

    public long QueueRequests => Interlocked.Read(ref _requests[(int)StorageService.Queue]);

    public long TableRequests => Interlocked.Read(ref _requests[(int)StorageService.Table]);

    /// <summary>Requests that were a retry of one that failed (their client's retry policy sent them again).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>
    /// The queue clients' repair of a message update retried after its reply was lost (the
    /// durable runtime puts it in every queue client's pipeline; <see cref="LostUpdateReplyPolicy"/>).
    /// </summary>
    public LostUpdateReplyPolicy LostUpdateReplies { get; } = new();

    /// <summary>Request bodies sent, bytes.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Response bodies received, bytes (as their Content-Length headers give them).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>The counts now, to subtract from a later one.</summary>
    public StorageRequestCount Snapshot() => new(BlobRequests, QueueRequests, TableRequests, BytesSent, BytesReceived, Retries);

    /// <summary>The policy to put in one service's client options.</summary>
    public HttpPipelinePolicy For(StorageService service) => new Policy(this, service);

    private void Count(HttpMessage message, StorageService service)
    {
        Interlocked.Increment(ref _requests[(int)service]);
        if (message.ProcessingContext.RetryNumber > 0)
        {
            Interlocked.Increment(ref _retries);
        }
        if (message.Request.Content is { } content && content.TryComputeLength(out long length))
        {
            Interlocked.Add(ref _bytesSent, length);
        }
    }

    private void CountResponse(HttpMessage message)
    {
        if (message.HasResponse && message.Response.Headers.ContentLength is { } length)
        {
            Interlocked.Add(ref _bytesReceived, length);
        }
    }

    private sealed class Policy(StorageRequestCounter counter, StorageService service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            counter.Count(message, service);
            ProcessNext(message, pipeline);
            counter.CountResponse(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            counter.Count(message, service);
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            counter.CountResponse(message);
        }
    }
}

/// <summary>The storage services a task hub uses.</summary>
public enum StorageService
{
    Blob,
    Queue,
    Table,
}

/// <summary>Storage requests and bytes at one moment; subtract two for what happened between them.</summary>
public readonly record struct StorageRequestCount(long Blob, long Queue, long Table, long BytesSent, long BytesReceived, long Retries)
{
    public long Requests => Blob + Queue + Table;

    public static StorageRequestCount operator -(StorageRequestCount later, StorageRequestCount earlier) =>
        new(later.Blob - earlier.Blob, later.Queue - earlier.Queue, later.Table - earlier.Table, later.BytesSent - earlier.BytesSent, later.BytesReceived - earlier.BytesReceived, later.Retries - earlier.Retries);
}
