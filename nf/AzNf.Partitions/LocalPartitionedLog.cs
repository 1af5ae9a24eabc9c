using System.Collections.Concurrent;
using AzNf.Packets.Capture;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Partitions;

/// <summary>
/// An in-process stand-in for Event Hubs: reads a capture, puts each packet on the partition its
/// flow key hashes to (<see cref="FlowKey.PartitionOf"/>, the mapping <c>aznf send --dry-run</c>
/// shows; frames that do not parse go round-robin), and feeds each partition's batches to an
/// <see cref="IPartitionBatchHandler"/> on that partition's own thread, with the consumer's
/// protocol: open, batches in order, a checkpoint after each handled batch, close.
/// </summary>
/// <remarks>
/// Every packet is its own event; its sequence number is its 1-based index in the capture (plus an
/// optional base), so
/// sequence numbers rise within each partition as Event Hubs' do. Batches are pooled per
/// partition and bounded in number, so memory is bounded and steady-state reading allocates
/// nothing.
/// </remarks>
public sealed class LocalPartitionedLog
{
    private readonly int _partitions;
    private readonly int _batchPackets;
    private readonly int _queueDepth;
    private readonly long[] _checkpoints;
    private readonly long _sequenceBase;
    private readonly int _batchBytes;

    /// <param name="partitions">Partitions, as an event hub's partition count.</param>
    /// <param name="batchPackets">Most packets in one batch handed to the handler.</param>
    /// <param name="queueDepth">Full batches waiting per partition before the reader waits.</param>
    /// <param name="sequenceBase">
    /// Added to every sequence number. A capture fed into a task hub that already holds an earlier
    /// feed's flows (the Functions app's packet post) must number its packets above that feed's,
    /// or flow entities take them for redeliveries.
    /// </param>
    /// <param name="batchBytes">Frame bytes at which a batch is handed over before it has <paramref name="batchPackets"/> packets.</param>
    public LocalPartitionedLog(int partitions, int batchPackets = 256, int queueDepth = 8, long sequenceBase = 0, int batchBytes = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchBytes, 1);
        _batchBytes = batchBytes;
        ArgumentOutOfRangeException.ThrowIfNegative(sequenceBase);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchPackets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueDepth, 1);
        _partitions = partitions;
        _batchPackets = batchPackets;
        _queueDepth = queueDepth;
        _sequenceBase = sequenceBase;
        _checkpoints = new long[partitions];
        Array.Fill(_checkpoints, -1);
    }

    public int Partitions => _partitions;

    /// <summary>
    /// Per partition, the checkpoint a feed resumes after: packets at or below it are read but not
    /// fed again, as a consumer that starts from a stored checkpoint skips them. Null: from the start.
    /// </summary>
    public IReadOnlyList<long>? ResumeAfter { get; init; }

    /// <summary>
    /// Called with the partition and sequence number after each handled batch, before that
    /// partition's next batch: where a consumer writes its durable checkpoint. A failure stops the
    /// partition, as a handler failure does.
    /// </summary>
    public Func<int, long, CancellationToken, ValueTask>? Checkpointed { get; init; }

    /// <summary>Packets the last feed read but did not feed, because they were at or below <see cref="ResumeAfter"/>.</summary>
    public long Resumed { get; private set; }

    /// <summary>Per partition, the sequence number of the last batch the handler finished (-1: none).</summary>
    public IReadOnlyList<long> Checkpoints => _checkpoints;

    /// <summary>
    /// True when the last <see cref="Feed"/> stopped reading because its stop request came: what
    /// it had read was still handed over and handled to the end, so the handler's state is whole
    /// up to that packet.
    /// </summary>
    public bool Interrupted { get; private set; }

    /// <summary>
    /// Feeds every frame of <paramref name="capture"/> to <paramref name="handler"/> and returns
    /// the number of frames read. Partitions are closed with <see cref="PartitionCloseReason.EndOfInput"/>
    /// once their input is handled.
    /// </summary>
    /// <param name="capture">The frames.</param>
    /// <param name="handler">Where each partition's batches go.</param>
    /// <param name="progress">Gets the capture position now and then.</param>
    /// <param name="cancellation">Aborts: the handlers' calls are cancelled too (a crash, a test).</param>
    /// <param name="stopReading">A clean stop (Ctrl-C): reading ends, and what was read is handled to the end (<see cref="Interrupted"/>).</param>
    /// <exception cref="PartitionsFailedException">The handler failed on some partition (a bug, never bad input); each failure names its partition and packets.</exception>
    public long Feed(CaptureReader capture, IPartitionBatchHandler handler, Action<long>? progress = null, CancellationToken cancellation = default, CancellationToken stopReading = default)
    {
        ArgumentNullException.ThrowIfNull(capture);
        ArgumentNullException.ThrowIfNull(handler);
        int count = _partitions;
        if (ResumeAfter is { } resume && resume.Count != count)
        {
            throw new ArgumentException($"{resume.Count} checkpoints for {count} partitions", nameof(ResumeAfter));
        }
        Resumed = 0;
        Interrupted = false;
        var full = new BlockingCollection<PartitionBatch>[count];
        var empty = new BlockingCollection<PartitionBatch>[count];
        var workers = new Thread[count];
        var failures = new ConcurrentQueue<PartitionFailure>();
        for (int p = 0; p < count; p++)
        {
            full[p] = new BlockingCollection<PartitionBatch>(_queueDepth);
            empty[p] = new BlockingCollection<PartitionBatch>(_queueDepth + 1);
            for (int b = 0; b < _queueDepth + 1; b++)
            {
                empty[p].Add(new PartitionBatch(_batchPackets, (int)Math.Min(_batchPackets * 2048L, _batchBytes + 65_536L), _batchBytes) { Partition = p });
            }
            int partition = p;
            var input = full[p];
            var recycle = empty[p];
            workers[p] = new Thread(() => Drain(partition, handler, input, recycle, failures, cancellation)) { IsBackground = true, Name = $"aznf-log-{p}" };
            workers[p].Start();
        }

        var current = new PartitionBatch[count];
        for (int p = 0; p < count; p++)
        {
            current[p] = empty[p].Take(cancellation);
        }

        long index = 0;
        try
        {
            // Asked to stop: stop reading, and hand over and drain what was read (a clean stop, not an abort).
            while (!(Interrupted = stopReading.IsCancellationRequested) && capture.TryRead(out var record))
            {
                index++;
                int p = PacketParser.Parse(record.LinkType, record.Data, out var parsed) == MalformedReason.None
                    ? FlowKey.From(parsed, out _).PartitionOf(count)
                    : (int)(index % count);
                if (ResumeAfter is { } after && _sequenceBase + index <= after[p])
                {
                    Resumed++;
                    continue;
                }
                var batch = current[p];
                batch.Add(_sequenceBase + index, 0, record.LinkType, record.Data, record.OriginalLength, record.TimestampNanos);
                if (batch.IsFull)
                {
                    full[p].Add(batch, cancellation);
                    current[p] = empty[p].Take(cancellation);
                }
                if ((index & 0xFFFF) == 0)
                {
                    progress?.Invoke(capture.Position);
                    if (!failures.IsEmpty)
                    {
                        break;
                    }
                }
            }
            for (int p = 0; p < count; p++)
            {
                if (current[p].Count > 0)
                {
                    full[p].Add(current[p], cancellation);
                }
            }
        }
        finally
        {
            foreach (var queue in full)
            {
                queue.CompleteAdding();
            }
            foreach (var worker in workers)
            {
                worker.Join();
            }
        }
        progress?.Invoke(capture.Position);
        if (!failures.IsEmpty)
        {
            throw new PartitionsFailedException([.. failures]);
        }
        return index;
    }

    private void Drain(int partition, IPartitionBatchHandler handler, BlockingCollection<PartitionBatch> input, BlockingCollection<PartitionBatch> recycle, ConcurrentQueue<PartitionFailure> failures, CancellationToken cancellation)
    {
        PartitionBatch? next = null;
        (long First, long Last)? handling = null;
        try
        {
            Wait(handler.OpenPartitionAsync(partition, cancellation));
            while (next is not null || input.TryTake(out next, Timeout.Infinite))
            {
                var batch = next;
                next = null;
                handling = batch.Count > 0 ? (batch.Packets[0].SequenceNumber, batch.LastSequenceNumber) : null;
                var handled = handler.HandleAsync(batch, cancellation);
                // While the batch is out (the durable path waits seconds on storage), the next one
                // is prepared if the reader has it already.
                if (!handled.IsCompleted && input.TryTake(out next))
                {
                    Wait(handler.PrepareAsync(next, cancellation));
                }
                Wait(handled);
                // The consumer's rule: checkpoint only what the handler has returned from, and no
                // further than a handler that stores later says is stored.
                long through = handler is IPartitionCheckpointGate gate ? Math.Min(batch.LastSequenceNumber, gate.CheckpointableThrough(partition)) : batch.LastSequenceNumber;
                if (through > _checkpoints[partition])
                {
                    _checkpoints[partition] = through;
                    if (Checkpointed is { } checkpointed)
                    {
                        Wait(checkpointed(partition, through, cancellation));
                    }
                }
                batch.Clear();
                recycle.Add(batch);
                handling = null;
            }
            Wait(handler.ClosePartitionAsync(partition, PartitionCloseReason.EndOfInput, cancellation));
        }
        catch (Exception e)
        {
            // A bug, not bad input (NFs never throw on packet data): stop the run and say so.
            failures.Enqueue(new PartitionFailure(partition, handling?.First, handling?.Last, e));
            if (next is not null)
            {
                next.Clear();
                recycle.Add(next);
            }
            foreach (var batch in input.GetConsumingEnumerable())
            {
                batch.Clear();
                recycle.Add(batch);
            }
        }
    }

    // Handlers of the fast path complete synchronously; only a pending one costs a Task.
    private static void Wait(ValueTask pending)
    {
        if (pending.IsCompletedSuccessfully)
        {
            return;
        }
        pending.AsTask().GetAwaiter().GetResult();
    }
}
