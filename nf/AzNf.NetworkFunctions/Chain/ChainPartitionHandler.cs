using System.Diagnostics;
using AzNf.Packets.Parsing;
using AzNf.Partitions;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// The fast path: runs every packet of a partition batch through the fused chain in process,
/// one <see cref="ChainPartition"/> (flow table and NF instances) per partition.
/// </summary>
/// <remarks>
/// Idempotent by position in the partition: a packet at or before the last one handled (event
/// sequence number, then position in the event) is skipped and counted in
/// <see cref="SkippedPackets"/>, so a batch redelivered after a crash between handling and
/// checkpointing changes nothing. A partition's state stays here when ownership moves away, so
/// an instance that gets it back continues where it stopped; only the end of input finishes
/// its flows.
/// </remarks>
public sealed class ChainPartitionHandler : IPartitionBatchHandler
{
    private readonly ChainDefinition _chain;
    private readonly ChainPartition?[] _partitions;
    private readonly PartitionPosition[] _handled;
    private readonly long[] _skipped;
    private readonly int _packetsPerEvent;
    private readonly IChainOutput? _output;

    /// <param name="chain">The chain every partition runs.</param>
    /// <param name="partitionCount">Partitions of the stream (0 .. count - 1).</param>
    /// <param name="packetsPerEvent">
    /// Bound on packets per event, so that <c>sequence × bound + position</c> numbers packets
    /// uniquely in partition order (the NFs' packet index). 1 when every event is one packet,
    /// as in the local log, where the sequence number is the capture index itself.
    /// </param>
    /// <param name="output">Where each partition's alerts, ended flows and drops go as they happen (flushed after every batch).</param>
    public ChainPartitionHandler(ChainDefinition chain, int partitionCount, int packetsPerEvent = 1, IChainOutput? output = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(packetsPerEvent, 1);
        _chain = chain;
        _packetsPerEvent = packetsPerEvent;
        _output = output;
        _partitions = new ChainPartition?[partitionCount];
        _handled = new PartitionPosition[partitionCount];
        _skipped = new long[partitionCount];
        Array.Fill(_handled, new PartitionPosition());
    }

    public int PartitionCount => _partitions.Length;

    /// <summary>Packets skipped because their event was already handled (redelivery).</summary>
    public long SkippedPackets => _skipped.Sum();

    /// <summary>The chain state of <paramref name="partition"/>, or null before it was first opened.</summary>
    public ChainPartition? Partition(int partition) => _partitions[partition];

    public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation)
    {
        CheckRange(partition);
        _partitions[partition] ??= new ChainPartition(_chain, partition, _output, partitionCount: _partitions.Length);
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int p = batch.Partition;
        CheckRange(p);
        var partition = _partitions[p] ?? throw new InvalidOperationException($"partition {p} was not opened before its first batch");
        ref var handled = ref _handled[p];
        long started = Stopwatch.GetTimestamp();
        foreach (ref readonly var packet in batch.Packets)
        {
            if (handled.Covers(packet))
            {
                _skipped[p]++;
                continue;
            }
            var frame = batch.Frame(packet);
            var malformed = PacketParser.Parse(packet.LinkType, frame, out var parsed);
            long index = (packet.SequenceNumber * _packetsPerEvent) + packet.PositionInEvent;
            partition.Process(frame, parsed, malformed, packet.WireLength, packet.TimestampNanos, index);
            handled.MoveTo(packet);
        }
        partition.EndBatch(batch.Packets.Length, Stopwatch.GetElapsedTime(started));
        return ValueTask.CompletedTask;
    }

    public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation)
    {
        CheckRange(partition);
        if (reason == PartitionCloseReason.EndOfInput)
        {
            _partitions[partition]?.Finish();
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Every partition's state as an engine result (partitions never opened run empty), for <see cref="RunReport"/>.</summary>
    public EngineResult ToResult(long framesRead)
    {
        var partitions = new ChainPartition[_partitions.Length];
        for (int p = 0; p < partitions.Length; p++)
        {
            partitions[p] = _partitions[p] ?? new ChainPartition(_chain, p, partitionCount: _partitions.Length);
        }
        return new EngineResult(_chain, partitions, framesRead);
    }

    private void CheckRange(int partition)
    {
        if ((uint)partition >= (uint)_partitions.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(partition), partition, $"partitions are 0..{_partitions.Length - 1}");
        }
    }
}
