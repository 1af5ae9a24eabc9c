using AzNf.Ingest.Events;

namespace AzNf.Ingest.Consumer;

/// <summary>What a consumer has done, safe to read while it runs (every field is updated atomically).</summary>
public sealed class IngestCounters
{
    private readonly long[] _rejected = new long[PacketEventErrors.Count];
    private long _events;
    private long _packets;
    private long _batches;
    private long _checkpoints;
    private long _errors;
    private long _duplicates;
    private long _checkpointsRefused;

    public long Events => Interlocked.Read(ref _events);
    public long Packets => Interlocked.Read(ref _packets);
    public long Batches => Interlocked.Read(ref _batches);
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>Failures the processor reported (store, connection, handler); see <see cref="PacketEventProcessor.ProcessingFailed"/>.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Checkpoint writes refused: the partition had another owner by then, or the stored checkpoint was further on.</summary>
    public long CheckpointsRefused => Interlocked.Read(ref _checkpointsRefused);

    /// <summary>Packets of egress events dropped because their origin had them handled already (a replayed send).</summary>
    public long DuplicatePackets => Interlocked.Read(ref _duplicates);

    /// <summary>Events rejected for <paramref name="reason"/>.</summary>
    public long Rejected(PacketEventError reason) => Interlocked.Read(ref _rejected[(int)reason]);

    /// <summary>Events rejected for any reason.</summary>
    public long RejectedTotal => _rejected.Sum();

    internal void CountEvent(int packets)
    {
        Interlocked.Increment(ref _events);
        Interlocked.Add(ref _packets, packets);
    }

    internal void CountRejected(PacketEventError reason)
    {
        Interlocked.Increment(ref _events);
        Interlocked.Increment(ref _rejected[(int)reason]);
    }

    internal void CountDuplicates(int packets) => Interlocked.Add(ref _duplicates, packets);

    internal void CountBatch() => Interlocked.Increment(ref _batches);

    internal void CountCheckpoint() => Interlocked.Increment(ref _checkpoints);

    internal void CountCheckpointRefused() => Interlocked.Increment(ref _checkpointsRefused);

    internal void CountError() => Interlocked.Increment(ref _errors);
}
