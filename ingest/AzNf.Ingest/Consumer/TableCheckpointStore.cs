using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Messaging.EventHubs.Consumer;
using Azure.Messaging.EventHubs.Primitives;
using Azure.Messaging.EventHubs.Processor;

namespace AzNf.Ingest.Consumer;

/// <summary>
/// Partition ownership and checkpoints for an event processor, in one Azure Table. The SDK's
/// load balancer does the balancing; this store gives it what it relies on: a complete listing
/// with each claim's last-modified time (for expiry) and version, and claims that succeed only
/// against the version the claimer saw (ETag), so that two processors racing for one partition
/// never both win.
/// </summary>
/// <remarks>
/// Layout: table partition key <c>namespace:hub:consumer-group</c> (lower case; '/' and the
/// other characters tables reject never occur in those names); row <c>ownership:{id}</c> holds
/// <c>Owner</c>, row <c>checkpoint:{id}</c> holds <c>SequenceNumber</c>, <c>Offset</c> and
/// <c>ClientIdentifier</c>. The row's service timestamp is the last-modified time.
/// </remarks>
public sealed class TableCheckpointStore : CheckpointStore
{
    private const string OwnershipPrefix = "ownership:";
    private const string CheckpointPrefix = "checkpoint:";
    private const string OwnerColumn = "Owner";
    private const string SequenceNumberColumn = "SequenceNumber";
    private const string OffsetColumn = "Offset";
    private const string ClientColumn = "ClientIdentifier";
    private const string OriginsColumn = "OriginWatermarks";

    private readonly TableClient _table;

    public TableCheckpointStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
    }

    /// <summary>Creates the table if it does not exist yet.</summary>
    public async Task CreateIfNotExistsAsync(CancellationToken cancellation = default) =>
        await _table.CreateIfNotExistsAsync(cancellation).ConfigureAwait(false);

    public override async Task<IEnumerable<EventProcessorPartitionOwnership>> ListOwnershipAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, CancellationToken cancellationToken)
    {
        string scope = Scope(fullyQualifiedNamespace, eventHubName, consumerGroup);
        var list = new List<EventProcessorPartitionOwnership>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(RowsOf(scope, OwnershipPrefix), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(new EventProcessorPartitionOwnership
            {
                FullyQualifiedNamespace = fullyQualifiedNamespace,
                EventHubName = eventHubName,
                ConsumerGroup = consumerGroup,
                PartitionId = entity.RowKey[OwnershipPrefix.Length..],
                OwnerIdentifier = entity.GetString(OwnerColumn) ?? "",
                LastModifiedTime = entity.Timestamp ?? DateTimeOffset.MinValue,
                Version = entity.ETag.ToString(),
            });
        }
        return list;
    }

    /// <summary>
    /// Claims each ownership: a new row when the claimer saw none (fails if another processor
    /// created it first), otherwise a replace guarded by the version it saw (fails if anyone
    /// wrote the row since). Only the claims that succeeded are returned, with their new version.
    /// </summary>
    public override async Task<IEnumerable<EventProcessorPartitionOwnership>> ClaimOwnershipAsync(IEnumerable<EventProcessorPartitionOwnership> desiredOwnership, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desiredOwnership);
        var claimed = new List<EventProcessorPartitionOwnership>();
        foreach (var ownership in desiredOwnership)
        {
            var entity = new TableEntity(Scope(ownership.FullyQualifiedNamespace, ownership.EventHubName, ownership.ConsumerGroup), OwnershipPrefix + ownership.PartitionId)
            {
                [OwnerColumn] = ownership.OwnerIdentifier ?? "",
            };
            try
            {
                var response = string.IsNullOrEmpty(ownership.Version)
                    ? await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                    : await _table.UpdateEntityAsync(entity, new ETag(ownership.Version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                ownership.Version = response.Headers.ETag?.ToString();
                ownership.LastModifiedTime = response.Headers.Date ?? DateTimeOffset.UtcNow;
                claimed.Add(ownership);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // 409: another processor created the row first; 412: it changed since we listed it.
                // Either way the partition is someone else's now: not claimed, not an error.
            }
        }
        return claimed;
    }

    public override async Task<EventProcessorCheckpoint?> GetCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Scope(fullyQualifiedNamespace, eventHubName, consumerGroup), CheckpointPrefix + partitionId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!response.HasValue || response.Value is not { } entity || entity.GetInt64(SequenceNumberColumn) is not long sequenceNumber)
        {
            return null;
        }
        return new EventProcessorCheckpoint
        {
            FullyQualifiedNamespace = fullyQualifiedNamespace,
            EventHubName = eventHubName,
            ConsumerGroup = consumerGroup,
            PartitionId = partitionId,
            ClientIdentifier = entity.GetString(ClientColumn),
            LastModified = entity.Timestamp ?? DateTimeOffset.MinValue,
            StartingPosition = StartAfter(entity, sequenceNumber),
        };
    }

    /// <summary>Every checkpoint of the hub and consumer group (for status displays and the SDK's legacy path).</summary>
    public async Task<IReadOnlyList<EventProcessorCheckpoint>> ListCheckpointsAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, CancellationToken cancellationToken)
    {
        var list = new List<EventProcessorCheckpoint>();
        await foreach (var entity in _table.QueryAsync<TableEntity>(RowsOf(Scope(fullyQualifiedNamespace, eventHubName, consumerGroup), CheckpointPrefix), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.GetInt64(SequenceNumberColumn) is long sequenceNumber)
            {
                list.Add(new EventProcessorCheckpoint
                {
                    FullyQualifiedNamespace = fullyQualifiedNamespace,
                    EventHubName = eventHubName,
                    ConsumerGroup = consumerGroup,
                    PartitionId = entity.RowKey[CheckpointPrefix.Length..],
                    ClientIdentifier = entity.GetString(ClientColumn),
                    LastModified = entity.Timestamp ?? DateTimeOffset.MinValue,
                    StartingPosition = StartAfter(entity, sequenceNumber),
                });
            }
        }
        return list;
    }

    /// <summary>Per partition id, the sequence number of the last event its checkpoint says was handled.</summary>
    public async Task<IReadOnlyDictionary<string, long>> ListSequenceNumbersAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, CancellationToken cancellationToken)
    {
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var entity in _table.QueryAsync<TableEntity>(RowsOf(Scope(fullyQualifiedNamespace, eventHubName, consumerGroup), CheckpointPrefix), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.GetInt64(SequenceNumberColumn) is long sequenceNumber)
            {
                numbers[entity.RowKey[CheckpointPrefix.Length..]] = sequenceNumber;
            }
        }
        return numbers;
    }

    /// <summary>
    /// The SDK's checkpoint write: one unconditional upsert, for a partition with one writer (the
    /// local log of <c>aznf run --runtime durable</c>, whose checkpoints only move on). Processors
    /// that share partitions write through <see cref="TryUpdateCheckpointAsync"/>, which guards.
    /// </summary>
    public override Task UpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, string clientIdentifier, CheckpointPosition startingPosition, CancellationToken cancellationToken) =>
        UpsertCheckpointAsync(Checkpoint(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, clientIdentifier, startingPosition.SequenceNumber, startingPosition.OffsetString, null), cancellationToken);

    /// <summary>
    /// As the SDK's checkpoint write, saying what became of it: a processor that lost the
    /// partition writes nothing, and no write moves the checkpoint back.
    /// </summary>
    public Task<CheckpointWrite> TryUpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, string clientIdentifier, CheckpointPosition startingPosition, string? originWatermarks, CancellationToken cancellationToken) =>
        WriteCheckpointAsync(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, clientIdentifier, startingPosition.SequenceNumber, startingPosition.OffsetString, originWatermarks, cancellationToken);

    /// <summary>
    /// A checkpoint with the highest origin index handled per origin of egress events up to it
    /// (<see cref="OriginWatermarks"/>), in the same row, so the two never disagree after a crash.
    /// </summary>

    /// <summary>The origin watermarks stored with a partition's checkpoint (null: none).</summary>
    public async Task<string?> GetOriginWatermarksAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(Scope(fullyQualifiedNamespace, eventHubName, consumerGroup), CheckpointPrefix + partitionId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue && response.Value is { } entity ? entity.GetString(OriginsColumn) : null;
    }

    [Obsolete("The SDK's own obsolete overload; kept because CheckpointStore declares it abstract.")]
    public override Task UpdateCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, long offset, long? sequenceNumber, CancellationToken cancellationToken) =>
        UpsertCheckpointAsync(Checkpoint(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, null, sequenceNumber ?? -1, offset.ToString(CultureInfo.InvariantCulture), null), cancellationToken);

    private Task UpsertCheckpointAsync(TableEntity checkpoint, CancellationToken cancellationToken) =>
        _table.UpsertEntityAsync(checkpoint, TableUpdateMode.Replace, cancellationToken);

    private static TableEntity Checkpoint(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, string? clientIdentifier, long sequenceNumber, string? offset, string? originWatermarks) =>
        new(Scope(fullyQualifiedNamespace, eventHubName, consumerGroup), CheckpointPrefix + partitionId)
        {
            [SequenceNumberColumn] = sequenceNumber,
            [OffsetColumn] = offset,
            [ClientColumn] = clientIdentifier,
            [OriginsColumn] = originWatermarks,
        };

    /// <summary>
    /// Writes a checkpoint unless the partition's ownership row names another owner (a processor
    /// that lost the partition while it worked must not overwrite the new owner's progress) or
    /// the stored checkpoint is further on (never backwards), under the stored row's ETag (two
    /// writers at once: the second reads again and decides again). The ownership check and the
    /// write are two requests: an ownership that moves between them is the SDK's own window,
    /// closed by the new owner's next checkpoint, which is further on.
    /// </summary>
    private async Task<CheckpointWrite> WriteCheckpointAsync(string fullyQualifiedNamespace, string eventHubName, string consumerGroup, string partitionId, string? clientIdentifier, long sequenceNumber, string? offset, string? originWatermarks, CancellationToken cancellationToken)
    {
        string scope = Scope(fullyQualifiedNamespace, eventHubName, consumerGroup);
        var entity = Checkpoint(fullyQualifiedNamespace, eventHubName, consumerGroup, partitionId, clientIdentifier, sequenceNumber, offset, originWatermarks);
        for (int attempt = 1; ; attempt++)
        {
            if (!string.IsNullOrEmpty(clientIdentifier))
            {
                var ownership = await _table.GetEntityIfExistsAsync<TableEntity>(scope, OwnershipPrefix + partitionId, [OwnerColumn], cancellationToken).ConfigureAwait(false);
                if (ownership.HasValue && ownership.Value?.GetString(OwnerColumn) is { Length: > 0 } owner && owner != clientIdentifier)
                {
                    return CheckpointWrite.NotOwner;
                }
            }
            var stored = await _table.GetEntityIfExistsAsync<TableEntity>(scope, CheckpointPrefix + partitionId, [SequenceNumberColumn], cancellationToken).ConfigureAwait(false);
            try
            {
                if (!stored.HasValue || stored.Value is null)
                {
                    await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                    return CheckpointWrite.Written;
                }
                if (stored.Value.GetInt64(SequenceNumberColumn) is long had && had > sequenceNumber)
                {
                    return CheckpointWrite.Behind;
                }
                await _table.UpdateEntityAsync(entity, stored.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return CheckpointWrite.Written;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxCheckpointAttempts)
            {
                // Another writer got there first: read what it wrote and decide again.
            }
        }
    }

    private const int MaxCheckpointAttempts = 10;

    // The checkpoint names the last event handled; reading resumes after it. The service prefers
    // the offset (sequence-number-only positions are deprecated), so it is used when present.
    private static EventPosition StartAfter(TableEntity entity, long sequenceNumber) =>
        entity.GetString(OffsetColumn) is { Length: > 0 } offset
            ? EventPosition.FromOffset(offset, isInclusive: false)
            : EventPosition.FromSequenceNumber(sequenceNumber, isInclusive: false);

    internal static string Scope(string fullyQualifiedNamespace, string eventHubName, string consumerGroup) =>
        $"{fullyQualifiedNamespace}:{eventHubName}:{consumerGroup}".ToLowerInvariant();

    // Rows whose key starts with the prefix: ':' + 1 is ';', the next character in ordinal order.
    private static string RowsOf(string scope, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {scope} and RowKey ge {prefix} and RowKey lt {prefix[..^1] + ";"}");
}

/// <summary>What became of a checkpoint write.</summary>
public enum CheckpointWrite
{
    Written,
    /// <summary>The partition's ownership row names another processor: nothing written.</summary>
    NotOwner,
    /// <summary>The stored checkpoint is further on: nothing written (a checkpoint never moves back).</summary>
    Behind,
}
