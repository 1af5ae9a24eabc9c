namespace AzNf.Orchestrations.Batches;

/// <summary>What batch units moved and stored, summed over a handler's life (thread-safe).</summary>
public sealed class BatchCounters
{
    private long _batches;
    private long _blobBytes;
    private long _stateBytes;
    private long _shardSteps;
    private long _lateSteps;
    private long _flowsTouched;
    private long _purged;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _workers = new(StringComparer.Ordinal);

    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Bytes of packet blobs written (the claim checks).</summary>
    public long BlobBytes => Interlocked.Read(ref _blobBytes);

    /// <summary>Bytes of flow maps the shards wrote (their state, before the backend's JSON and base64).</summary>
    public long StateBytes => Interlocked.Read(ref _stateBytes);

    public long ShardSteps => Interlocked.Read(ref _shardSteps);

    public long LateSteps => Interlocked.Read(ref _lateSteps);

    public long FlowsTouched => Interlocked.Read(ref _flowsTouched);

    /// <summary>Batch instances purged (with their blobs) once consumed.</summary>
    public long Purged => Interlocked.Read(ref _purged);

    /// <summary>Per worker (machine and process id), the batches in which it ran a shard step.</summary>
    public IReadOnlyDictionary<string, long> Workers => _workers;

    public void Add(ChainBatchResult result, long blobBytes)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (string worker in result.Workers)
        {
            _workers.AddOrUpdate(worker, 1, (_, n) => n + 1);
        }
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _blobBytes, blobBytes);
        Interlocked.Add(ref _stateBytes, result.StateBytes);
        Interlocked.Add(ref _shardSteps, result.ShardSteps);
        Interlocked.Add(ref _lateSteps, result.LateSteps);
        Interlocked.Add(ref _flowsTouched, result.FlowsTouched);
    }

    public void CountPurge() => Interlocked.Increment(ref _purged);
}
