using System.IO.Compression;
using System.Text.Json;
using AzNf.Orchestrations.Models;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// What a shard step outputs record by record — the flows that ended and the alerts raised —
/// kept out of the orchestration's history once they are many: a mixed-traffic batch ends
/// thousands of flows, and a reply or result over the backend's 60 KiB property limit costs
/// large-message blobs at every copy (reply, orchestration history, result). Stored as
/// Brotli-compressed JSON in the packet store, read by the partition owner, deleted with the batch.
/// </summary>
public sealed record ShardRecords(IReadOnlyList<ReportFlow> FinishedFlows, IReadOnlyList<ReportAlert> Alerts)
{
    /// <summary>Records up to this many travel inline in the shard's reply.</summary>
    public const int InlineLimit = 64;

    public byte[] Encode()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(this);
        byte[] compressed = new byte[BrotliEncoder.GetMaxCompressedLength(json.Length)];
        if (!BrotliEncoder.TryCompress(json, compressed, out int written, quality: 4, window: 22))
        {
            throw new InvalidOperationException("shard records: Brotli could not compress into its own maximum size");
        }
        return compressed.AsSpan(0, written).ToArray();
    }

    /// <exception cref="FlowShardMapException">The bytes are not shard records; the message names <paramref name="where"/>.</exception>
    public static ShardRecords Decode(ReadOnlySpan<byte> encoded, string where)
    {
        try
        {
            using var input = new MemoryStream(encoded.ToArray());
            using var brotli = new BrotliStream(input, CompressionMode.Decompress);
            return JsonSerializer.Deserialize<ShardRecords>(brotli) ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new FlowShardMapException($"{where}: shard records cannot be read: {e.Message}");
        }
    }
}

/// <summary>Where a shard step's records are, when they did not travel inline.</summary>
public sealed record RecordsRef(string Blob, int Length, string Sha256);
