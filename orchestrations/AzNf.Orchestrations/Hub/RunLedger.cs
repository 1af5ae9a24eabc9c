using System.IO.Compression;
using System.Text.Json;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Batches;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// What a run's handled batches counted, kept in storage beside the batches: one record per
/// partition batch, named by the batch and written before the batch's checkpoint, so a process
/// that resumes a run from its checkpoints reports what the processes before it handled too.
/// </summary>
/// <remarks>
/// Records are GZip JSON tallies under <c>ledger/{chain}/batches/</c>; the run's identity (what
/// was fed, and how it was cut) is <c>ledger/{chain}/run</c>. A batch handled again and cut the
/// same way (the local log cuts the same batches from a checkpoint) rewrites its record with the
/// same content. A batch cut differently counts only the packets the flow shards had not applied,
/// so records never count a packet twice; what they can miss is a batch whose units completed but
/// whose record was not written before a crash, then cut differently (docs/durable.md).
/// </remarks>
public sealed class RunLedger
{
    private const string Root = "ledger/";
    private readonly IPacketBatchStore _store;
    private readonly string _prefix;

    public RunLedger(IPacketBatchStore store, string chainName)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(chainName);
        _store = store;
        _prefix = $"{Root}{StorageNames.Safe(chainName)}/";
    }

    /// <summary>Stores <paramref name="tally"/> as the record of batch <paramref name="batchId"/> (replacing an earlier record of it).</summary>
    public async Task WriteAsync(string batchId, ChainTally tally, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(tally);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, tally);
        }
        await _store.PutAsync(BatchesPrefix + batchId, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellation);
    }

    /// <summary>Every batch record of the run, in name order.</summary>
    /// <exception cref="FormatException">A record does not read as a tally; the message names it.</exception>
    public async Task<List<ChainTally>> ReadAllAsync(CancellationToken cancellation)
    {
        var names = new List<string>();
        await foreach (string name in _store.ListAsync(BatchesPrefix, cancellation))
        {
            names.Add(name);
        }
        var tallies = new ChainTally[names.Count];
        // A run has tens to thousands of batches: read them a few at a time, not one by one.
        await Parallel.ForEachAsync(Enumerable.Range(0, names.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellation }, async (i, token) =>
        {
            var bytes = await _store.ReadAllAsync(names[i], token) ?? throw new FormatException($"{names[i]}: the ledger record went away while it was read");
            tallies[i] = Decode(bytes, names[i]);
        });
        return [.. tallies];
    }

    /// <summary>The identity the run was started with, or null for a run not started yet.</summary>
    public async Task<string?> ReadIdentityAsync(CancellationToken cancellation) =>
        await _store.ReadAllAsync(RunBlob, cancellation) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes.Span) : null;

    /// <summary>Stores the identity of a run that starts now.</summary>
    public Task WriteIdentityAsync(string identity, CancellationToken cancellation) =>
        _store.PutAsync(RunBlob, System.Text.Encoding.UTF8.GetBytes(identity), cancellation);

    private string BatchesPrefix => _prefix + "batches/";

    private string RunBlob => _prefix + "run";

    private static ChainTally Decode(ReadOnlyMemory<byte> bytes, string name)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes.ToArray(), writable: false), CompressionMode.Decompress);
            return JsonSerializer.Deserialize<ChainTally>(gzip) ?? throw new FormatException($"{name}: the ledger record is empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new FormatException($"{name}: the ledger record does not read as a tally: {e.Message}", e);
        }
    }
}
