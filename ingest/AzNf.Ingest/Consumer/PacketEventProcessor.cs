using Azure.Core;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;
using AzNf.Ingest.Events;
using AzNf.Partitions;

namespace AzNf.Ingest.Consumer;

/// <summary>
/// Reads packet events from every partition this instance owns and feeds them, decoded into
/// partition batches, to an <see cref="IPartitionBatchHandler"/> (fast path or durable path).
/// Ownership and checkpoints live in a <see cref="TableCheckpointStore"/>; the SDK's load
/// balancer spreads partitions over the instances sharing it.
/// </summary>
/// <remarks>
/// Per SDK batch: each event is checked (application properties, then the body); a rejected
/// event is counted and written to the <see cref="DeadLetterTable"/>, the others are decoded
/// into the partition's batch and handed over, in order; an event is never split between
/// batches. Only after the handler has returned (and the dead letters are written) is the
/// checkpoint moved to the last event, so a crash before that replays the batch, and the
/// handler's sequence-number idempotence makes the replay count once.
/// </remarks>
public sealed class PacketEventProcessor : EventProcessor<PacketPartition>
{
    private readonly TableCheckpointStore _store;
    private readonly DeadLetterTable _deadLetters;
    private readonly IPartitionBatchHandler _handler;
    private readonly int _packetsPerBatch;
    private readonly bool _trackLag;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, long> _lag = new();

    /// <summary>Connects with an Entra ID credential (e.g. <c>DefaultAzureCredential</c>).</summary>
    public PacketEventProcessor(string fullyQualifiedNamespace, string eventHubName, TokenCredential credential, TableCheckpointStore store, DeadLetterTable deadLetters, IPartitionBatchHandler handler, PacketProcessorOptions options)
        : base(Checked(options).EventsPerBatch, options.ConsumerGroup, fullyQualifiedNamespace, eventHubName, credential, options.Processor)
    {
        (_store, _deadLetters, _handler, _packetsPerBatch) = (store, deadLetters, handler, options.PacketsPerBatch);
        _trackLag = options.Processor.TrackLastEnqueuedEventProperties;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(deadLetters);
        ArgumentNullException.ThrowIfNull(handler);
    }

    /// <summary>Connects with a connection string (its secret stays inside the SDK).</summary>
    public PacketEventProcessor(string connectionString, string eventHubName, TableCheckpointStore store, DeadLetterTable deadLetters, IPartitionBatchHandler handler, PacketProcessorOptions options)
        : base(Checked(options).EventsPerBatch, options.ConsumerGroup, connectionString, eventHubName, options.Processor)
    {
        (_store, _deadLetters, _handler, _packetsPerBatch) = (store, deadLetters, handler, options.PacketsPerBatch);
        _trackLag = options.Processor.TrackLastEnqueuedEventProperties;
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(deadLetters);
        ArgumentNullException.ThrowIfNull(handler);
    }

    public IngestCounters Counters { get; } = new();

    /// <summary>
    /// Per partition owned here, events enqueued and not processed yet (the partition's last
    /// enqueued sequence number − the last processed) as of its latest batch; filled when the
    /// processor options track the last enqueued event properties.
    /// </summary>
    public IReadOnlyDictionary<int, long> Lag => _lag;

    /// <summary>Raised for every failure the processor reports (it keeps running; the SDK retries).</summary>
    public event Action<ProcessingFailure>? ProcessingFailed;

    /// <summary>The table partition this processor's rows live under.</summary>
    public string Scope => TableCheckpointStore.Scope(FullyQualifiedNamespace, EventHubName, ConsumerGroup);

    protected override Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(CancellationToken cancellationToken) =>
        _store.ListOwnershipAsync(FullyQualifiedNamespace, EventHubName, ConsumerGroup, cancellationToken);

    protected override Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(IEnumerable<EventProcessorPartitionOwnership> desiredOwnership, CancellationToken cancellationToken) =>
        _store.ClaimOwnershipAsync(desiredOwnership, cancellationToken);

    protected override async Task<IEnumerable<EventProcessorCheckpoint>> ListCheckpointsAsync(CancellationToken cancellationToken) =>
        await _store.ListCheckpointsAsync(FullyQualifiedNamespace, EventHubName, ConsumerGroup, cancellationToken).ConfigureAwait(false);

    protected override Task<EventProcessorCheckpoint> GetCheckpointAsync(string partitionId, CancellationToken cancellationToken) =>
        _store.GetCheckpointAsync(FullyQualifiedNamespace, EventHubName, ConsumerGroup, partitionId, cancellationToken)!;

    protected override Task UpdateCheckpointAsync(string partitionId, CheckpointPosition startingPosition, CancellationToken cancellationToken) =>
        CheckpointAsync(partitionId, startingPosition, null, cancellationToken);

    private async Task CheckpointAsync(string partitionId, CheckpointPosition startingPosition, string? watermarks, CancellationToken cancellationToken)
    {
        var written = await _store.TryUpdateCheckpointAsync(FullyQualifiedNamespace, EventHubName, ConsumerGroup, partitionId, Identifier, startingPosition, watermarks, cancellationToken).ConfigureAwait(false);
        if (written == CheckpointWrite.Written)
        {
            Counters.CountCheckpoint();
        }
        else
        {
            Counters.CountCheckpointRefused();
        }
    }

    protected override Task OnInitializingPartitionAsync(PacketPartition partition, CancellationToken cancellationToken) =>
        InitializePartitionAsync(partition, cancellationToken);

    protected override Task OnPartitionProcessingStoppedAsync(PacketPartition partition, ProcessingStoppedReason reason, CancellationToken cancellationToken) =>
        _handler.ClosePartitionAsync(partition.Index, reason == ProcessingStoppedReason.OwnershipLost ? PartitionCloseReason.OwnershipLost : PartitionCloseReason.Shutdown, cancellationToken).AsTask();

    protected override Task OnProcessingEventBatchAsync(IEnumerable<EventData> events, PacketPartition partition, CancellationToken cancellationToken) =>
        ProcessBatchAsync(events, partition, cancellationToken);

    protected override Task OnProcessingErrorAsync(Exception exception, PacketPartition partition, string operationDescription, CancellationToken cancellationToken)
    {
        Counters.CountError();
        ProcessingFailed?.Invoke(new ProcessingFailure(partition?.PartitionId, operationDescription, exception));
        return Task.CompletedTask;
    }

    /// <summary>What the SDK calls when it starts a partition here; also the test seam.</summary>
    internal async Task InitializePartitionAsync(PacketPartition partition, CancellationToken cancellationToken)
    {
        if (!int.TryParse(partition.PartitionId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
        {
            throw new InvalidOperationException($"partition id '{partition.PartitionId}' is not a number; AzNf numbers partitions like Event Hubs does (0 .. n-1)");
        }
        partition.Index = index;
        partition.Batch ??= new PartitionBatch(_packetsPerBatch) { Partition = index };
        string? stored = await _store.GetOriginWatermarksAsync(FullyQualifiedNamespace, EventHubName, ConsumerGroup, partition.PartitionId, cancellationToken).ConfigureAwait(false);
        try
        {
            partition.Watermarks = OriginWatermarks.Parse(stored);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"partition {partition.PartitionId}: the checkpoint's {e.Message}", e);
        }
        await _handler.OpenPartitionAsync(index, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One SDK batch: decode, hand over, dead-letter, then checkpoint. The test seam for crash and replay.</summary>
    internal async Task ProcessBatchAsync(IEnumerable<EventData> events, PacketPartition partition, CancellationToken cancellationToken)
    {
        var batch = partition.Batch ?? throw new InvalidOperationException($"partition {partition.PartitionId} was not initialized");
        batch.Clear();
        EventData? last = null;
        foreach (var data in events)
        {
            last = data;
            var body = data.EventBody.ToMemory();
            var error = PacketEventProperties.Check(data.Properties, out string? missing);
            if (error == PacketEventError.None
                && PacketEventReader.TryReadHeader(body.Span, out var header) == PacketEventError.None
                && batch.Count + header.PacketCount > batch.MaxPackets)
            {
                await HandOnAsync(batch, cancellationToken).ConfigureAwait(false);
            }
            int before = batch.Count;
            string? origin = null;
            long[]? indexes = null;
            int repeated = 0;
            if (error == PacketEventError.None && PacketEventReader.TryReadHeader(body.Span, out var head) == PacketEventError.None)
            {
                error = OriginWatermarks.Read(data.Properties, head.PacketCount, out origin, out indexes);
                repeated = origin is null ? 0 : partition.Watermarks.Handled(origin, indexes!);
            }
            if (error == PacketEventError.None && origin is not null && repeated == indexes!.Length)
            {
                // A replayed egress send: every packet was handled from its first copy.
                Counters.CountEvent(0);
                Counters.CountDuplicates(repeated);
                continue;
            }
            if (error == PacketEventError.None)
            {
                error = PacketEventReader.TryDecode(body.Span, data.SequenceNumber, batch, repeated);
            }
            if (error == PacketEventError.None)
            {
                Counters.CountEvent(batch.Count - before);
                Counters.CountDuplicates(repeated);
                if (origin is not null)
                {
                    partition.Watermarks.Advance(origin, indexes![^1]);
                }
                continue;
            }
            Counters.CountRejected(error);
            string detail = missing is null
                ? $"event {data.SequenceNumber} of partition {partition.PartitionId}: {PacketEventErrors.Name(error)} ({body.Length} body bytes)"
                : $"event {data.SequenceNumber} of partition {partition.PartitionId}: application property '{missing}' missing or not of its type";
            await _deadLetters.WriteAsync(Scope, partition.PartitionId, data.SequenceNumber, error, detail, data.EnqueuedTime, body, data.Properties, cancellationToken).ConfigureAwait(false);
        }
        if (batch.Count > 0)
        {
            await HandOnAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        if (last is null)
        {
            return;
        }
        RecordLag(partition, last);
        // The watermarks as of this batch's last event go with its checkpoint.
        string? watermarks = partition.Watermarks.Count == 0 ? null : partition.Watermarks.Serialize();
        if (_handler is not IPartitionCheckpointGate gate)
        {
            await CheckpointAsync(partition.PartitionId, CheckpointPosition.FromEvent(last), watermarks, cancellationToken).ConfigureAwait(false);
            return;
        }
        // The handler stores later: checkpoint the newest handled event it says is stored, if any.
        partition.Handled.Enqueue((CheckpointPosition.FromEvent(last), watermarks));
        long through = gate.CheckpointableThrough(partition.Index);
        (CheckpointPosition Position, string? Watermarks)? stored = null;
        while (partition.Handled.TryPeek(out var oldest) && oldest.Position.SequenceNumber <= through)
        {
            stored = partition.Handled.Dequeue();
        }
        if (stored is { } checkpoint)
        {
            await CheckpointAsync(partition.PartitionId, checkpoint.Position, checkpoint.Watermarks, cancellationToken).ConfigureAwait(false);
        }
    }

    private void RecordLag(PacketPartition partition, EventData last)
    {
        // Only the SDK's own loop reads events with their partition's properties (not the test seam).
        if (!IsRunning || !_trackLag)
        {
            return;
        }
        if (ReadLastEnqueuedEventProperties(partition.PartitionId).SequenceNumber is long newest)
        {
            _lag[partition.Index] = Math.Max(0, newest - last.SequenceNumber);
        }
    }

    private async Task HandOnAsync(PartitionBatch batch, CancellationToken cancellationToken)
    {
        await _handler.HandleAsync(batch, cancellationToken).ConfigureAwait(false);
        Counters.CountBatch();
        batch.Clear();
    }

    private static PacketProcessorOptions Checked(PacketProcessorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
