using Azure.Data.Tables;
using AzNf.Ingest.Events;

namespace AzNf.Ingest.Consumer;

/// <summary>
/// Events the consumer could not use, kept in an Azure Table for a person to look at: row key
/// = the event's sequence number, so a batch replayed after a crash rewrites the same rows
/// instead of adding copies.
/// </summary>
/// <remarks>
/// Columns: <c>Reason</c> (a <see cref="PacketEventErrors"/> name), <c>Detail</c>,
/// <c>EnqueuedTime</c>, <c>BodyLength</c>, <c>Body</c> (the first <see cref="MaxStoredBodyBytes"/>
/// bytes; a table property holds at most 64 KiB) and <c>Properties</c> (the application
/// properties as text).
/// </remarks>
public sealed class DeadLetterTable
{
    public const int MaxStoredBodyBytes = 32 * 1024;
    private const int MaxPropertiesText = 8 * 1024;

    private readonly TableClient _table;

    public DeadLetterTable(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
    }

    public async Task CreateIfNotExistsAsync(CancellationToken cancellation = default) =>
        await _table.CreateIfNotExistsAsync(cancellation).ConfigureAwait(false);

    /// <summary>Records one rejected event.</summary>
    public async Task WriteAsync(string scope, string partitionId, long sequenceNumber, PacketEventError reason, string detail, DateTimeOffset enqueuedTime, ReadOnlyMemory<byte> body, IDictionary<string, object> properties, CancellationToken cancellation)
    {
        string text = string.Join("; ", properties.Select(p => $"{p.Key}={p.Value}"));
        var entity = new TableEntity(RowScope(scope, partitionId), sequenceNumber.ToString("D20", System.Globalization.CultureInfo.InvariantCulture))
        {
            ["Reason"] = PacketEventErrors.Name(reason),
            ["Detail"] = detail,
            ["EnqueuedTime"] = enqueuedTime,
            ["BodyLength"] = body.Length,
            ["Body"] = body[..Math.Min(body.Length, MaxStoredBodyBytes)].ToArray(),
            ["Properties"] = text.Length > MaxPropertiesText ? text[..MaxPropertiesText] : text,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellation).ConfigureAwait(false);
    }

    /// <summary>Every rejected event of one partition, in sequence order: (sequence number, reason name, detail).</summary>
    public async Task<IReadOnlyList<(long SequenceNumber, string Reason, string Detail)>> ListAsync(string scope, string partitionId, CancellationToken cancellation = default)
    {
        var list = new List<(long, string, string)>();
        string filter = TableClient.CreateQueryFilter($"PartitionKey eq {RowScope(scope, partitionId)}");
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellation).ConfigureAwait(false))
        {
            list.Add((long.Parse(entity.RowKey, System.Globalization.CultureInfo.InvariantCulture), entity.GetString("Reason") ?? "", entity.GetString("Detail") ?? ""));
        }
        return list;
    }

    private static string RowScope(string scope, string partitionId) => $"{scope}:{partitionId}";
}
