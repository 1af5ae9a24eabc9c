using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using AzNf.Outputs.Eve;

namespace AzNf.Functions.Outputs;

/// <summary>
/// EVE JSON kept for retention: each durable unit's alert and flow lines (<see cref="EveRecordLines"/>) appended to one blob per
/// chain and hour of the events' time (<c>chain/yyyy/MM/dd/HH.json</c>, JSON lines), so a
/// lifecycle rule can age them out and any tool that reads EVE files reads them.
/// </summary>
/// <remarks>
/// A unit's lines for one hour become one block whose id is the hash of its bytes; the block is
/// staged, then committed after the blob's committed blocks unless it is among them already,
/// under the block list's ETag (another writer in between: read the list again and retry). So a
/// unit that runs again after a crash, writing the same lines, adds nothing: its block is there.
/// An append blob could not tell a repeat from new lines. A blob holds at most 50,000 blocks,
/// which at one block per unit and hour allows about 13 units a second; more goes to a
/// <c>.N</c> continuation blob.
/// </remarks>
public sealed class EveBlobSink(BlobContainerClient container, string chainName)
{
    /// <summary>Committed blocks a blob may hold (the service's limit).</summary>
    public const int MaxBlocksPerBlob = 50_000;

    private const int MaxCommitAttempts = 20;
    private long _lines;
    private long _repeats;

    /// <summary>EVE lines written so far (repeats not counted).</summary>
    public long LinesWritten => Interlocked.Read(ref _lines);

    /// <summary>Blocks found already committed (a unit written again).</summary>
    public long RepeatedBlocks => Interlocked.Read(ref _repeats);

    /// <summary>Makes the container when it is not there (locally; the Bicep makes it in Azure).</summary>
    public Task CreateIfNotExistsAsync(CancellationToken cancellation) => container.CreateIfNotExistsAsync(cancellationToken: cancellation);

    /// <summary>The blob of an event time's hour (the first of its continuation blobs).</summary>
    public static string BlobName(string chainName, DateTime utc, int continuation = 0) =>
        string.Create(CultureInfo.InvariantCulture, $"{chainName}/{utc:yyyy/MM/dd/HH}{(continuation == 0 ? "" : "." + continuation.ToString(CultureInfo.InvariantCulture))}.json");

    public async Task WriteAsync(IReadOnlyList<EveLine> lines, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(lines);
        // Lines by the hour of their own time (alerts: the packet's; flows: their end).
        var byHour = new SortedDictionary<DateTime, (MemoryStream Buffer, int Lines)>();
        foreach (var line in lines)
        {
            var hour = Hour(line.Time);
            var (buffer, count) = byHour.TryGetValue(hour, out var group) ? group : (new MemoryStream(), 0);
            buffer.Write(line.Bytes);
            buffer.WriteByte((byte)'\n');
            byHour[hour] = (buffer, count + 1);
        }
        foreach (var (hour, (buffer, count)) in byHour)
        {
            if (await AppendOnceAsync(hour, buffer.ToArray(), cancellation).ConfigureAwait(false))
            {
                Interlocked.Add(ref _lines, count);
            }
        }
    }

    // False when the block was committed already (the same lines written before).
    private async Task<bool> AppendOnceAsync(DateTime hour, byte[] block, CancellationToken cancellation)
    {
        string blockId = Convert.ToBase64String(SHA256.HashData(block));
        for (int continuation = 0; ; continuation++)
        {
            var blob = container.GetBlockBlobClient(BlobName(chainName, hour, continuation));
            for (int attempt = 1; ; attempt++)
            {
                var (committed, etag) = await CommittedAsync(blob, cancellation).ConfigureAwait(false);
                if (committed.Contains(blockId))
                {
                    Interlocked.Increment(ref _repeats);
                    return false;
                }
                if (committed.Count >= MaxBlocksPerBlob)
                {
                    break; // full: the next continuation blob
                }
                using (var content = new MemoryStream(block, writable: false))
                {
                    await blob.StageBlockAsync(blockId, content, cancellationToken: cancellation).ConfigureAwait(false);
                }
                try
                {
                    var conditions = etag is { } known ? new BlobRequestConditions { IfMatch = known } : new BlobRequestConditions { IfNoneMatch = ETag.All };
                    await blob.CommitBlockListAsync([.. committed, blockId], new CommitBlockListOptions { Conditions = conditions, HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" } }, cancellation).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException e) when ((e.Status is 412 or 409) && attempt < MaxCommitAttempts)
                {
                    // Another writer committed in between: read its list and try again.
                }
            }
        }
    }

    private static async Task<(List<string> Committed, ETag? ETag)> CommittedAsync(BlockBlobClient blob, CancellationToken cancellation)
    {
        try
        {
            var list = await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: cancellation).ConfigureAwait(false);
            return (list.Value.CommittedBlocks.Select(b => b.Name).ToList(), list.GetRawResponse().Headers.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return ([], null);
        }
    }

    private static DateTime Hour(string? reportTime)
    {
        var time = reportTime is null
            ? DateTime.UtcNow
            : DateTime.ParseExact(reportTime, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return new DateTime(time.Year, time.Month, time.Day, time.Hour, 0, 0, DateTimeKind.Utc);
    }
}
