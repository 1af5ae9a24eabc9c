using System.Collections.Concurrent;
using AzNf.Packets.Capture;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// The embedded runtime: reads a capture, parses each frame once, and hands it to the partition
/// its flow key hashes to (the same mapping Event Hubs partitioning uses). Each partition runs
/// on its own thread over bounded, pooled batches.
/// </summary>
public static class ChainEngine
{
    /// <summary>Runs <paramref name="chain"/> over every frame of <paramref name="capture"/>.</summary>
    public static EngineResult Run(ChainDefinition chain, CaptureReader capture, EngineOptions options, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        options.Validate();
        if (options.Inline)
        {
            return RunInline(chain, capture, progress, cancellation);
        }
        int count = options.Partitions;
        var partitions = new ChainPartition[count];
        var full = new BlockingCollection<PacketBatch>[count];
        var empty = new BlockingCollection<PacketBatch>[count];
        var workers = new Thread[count];
        var failures = new ConcurrentQueue<Exception>();
        for (int p = 0; p < count; p++)
        {
            partitions[p] = new ChainPartition(chain, p);
            full[p] = new BlockingCollection<PacketBatch>(options.QueueDepth);
            empty[p] = new BlockingCollection<PacketBatch>(options.QueueDepth + 1);
            for (int b = 0; b < options.QueueDepth + 1; b++)
            {
                empty[p].Add(new PacketBatch(options.BatchPackets));
            }
            var partition = partitions[p];
            var input = full[p];
            var recycle = empty[p];
            workers[p] = new Thread(() => Drain(partition, input, recycle, failures)) { IsBackground = true, Name = $"aznf-partition-{p}" };
            workers[p].Start();
        }

        var current = new PacketBatch[count];
        for (int p = 0; p < count; p++)
        {
            current[p] = empty[p].Take(cancellation);
        }

        long index = 0;
        try
        {
            while (capture.TryRead(out var record))
            {
                index++;
                var malformed = PacketParser.Parse(record.LinkType, record.Data, out var parsed);
                int p = malformed == MalformedReason.None
                    ? FlowKey.From(parsed, out _).PartitionOf(count)
                    : (int)(index % count);
                var batch = current[p];
                batch.Add(record.Data, parsed, malformed, record.OriginalLength, record.TimestampNanos, index);
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
            throw new AggregateException("a partition failed", failures);
        }
        foreach (var partition in partitions)
        {
            partition.Finish();
        }
        return new EngineResult(chain, partitions, index);
    }

    private static EngineResult RunInline(ChainDefinition chain, CaptureReader capture, Action<long>? progress, CancellationToken cancellation)
    {
        var partition = new ChainPartition(chain, 0);
        long index = 0;
        while (capture.TryRead(out var record))
        {
            index++;
            var malformed = PacketParser.Parse(record.LinkType, record.Data, out var parsed);
            partition.Process(record.Data, parsed, malformed, record.OriginalLength, record.TimestampNanos, index);
            if ((index & 0xFFFF) == 0)
            {
                progress?.Invoke(capture.Position);
                cancellation.ThrowIfCancellationRequested();
            }
        }
        progress?.Invoke(capture.Position);
        partition.Finish();
        return new EngineResult(chain, [partition], index);
    }

    private static void Drain(ChainPartition partition, BlockingCollection<PacketBatch> input, BlockingCollection<PacketBatch> recycle, ConcurrentQueue<Exception> failures)
    {
        try
        {
            foreach (var batch in input.GetConsumingEnumerable())
            {
                var data = batch.Data;
                for (int i = 0; i < batch.Count; i++)
                {
                    ref var entry = ref batch.Entries[i];
                    partition.Process(data.AsSpan(entry.Offset, entry.Length), entry.Parsed, entry.Malformed, entry.WireLength, entry.TimestampNanos, entry.Index);
                }
                batch.Clear();
                recycle.Add(batch);
            }
        }
        catch (Exception e)
        {
            // A bug, not bad input (NFs never throw on packet data): stop the run and say so.
            failures.Enqueue(e);
            foreach (var batch in input.GetConsumingEnumerable())
            {
                batch.Clear();
                recycle.Add(batch);
            }
        }
    }
}

/// <summary>The partitions after a run, ready to be turned into a report.</summary>
public sealed record EngineResult(ChainDefinition Chain, IReadOnlyList<ChainPartition> Partitions, long FramesRead);
