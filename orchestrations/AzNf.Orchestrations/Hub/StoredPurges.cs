using System.Collections.Concurrent;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// Purges what a partition consumed — a batch's or a group commit's instance and blobs — only
/// once every flow shard it touched has <em>stored</em> it. The backend sends an entity's reply
/// before it stores the entity's state; a worker that dies in between leaves the unit completed
/// while the shard lacks it, and the shard gets the request again only after the visibility
/// timeout, when it reads the unit's blob. Replies say what their shard had stored when its batch
/// of operations began (<see cref="NoteStored"/>); a shard no later reply covers is read instead:
/// past <c>keepBeforeRead</c> units waiting, and at a partition's close.
/// </summary>
/// <param name="hub">Where the shards' states are read.</param>
/// <param name="chainName">The chain whose <c>flows</c> entities these are.</param>
/// <param name="keepBeforeRead">Units a partition keeps waiting for later replies before the shards are read.</param>
/// <param name="poll">Time between reads at a partition's close.</param>
/// <param name="purge">Purges one unit (its failures are its own to report).</param>
/// <param name="failure">Reports a shard whose state could not be read by the last read at a partition's close (earlier failed reads are tried again).</param>
internal sealed class StoredPurges(IChainTaskHub hub, string chainName, int keepBeforeRead, TimeSpan poll, Func<ConsumedUnit, CancellationToken, Task> purge, Action<string> failure)
{
    /// <summary>Reads of the shards' states at the end of the input before units not yet stored are left in the hub.</summary>
    public const int ClosingReads = 10;

    private readonly ConcurrentDictionary<(int Shard, int Partition), long> _stored = new();
    private readonly ConcurrentDictionary<int, List<ConsumedUnit>> _waiting = new();

    /// <summary>Units consumed and not purged yet, over all partitions.</summary>
    public int Waiting => _waiting.Values.Sum(units => units.Count);

    /// <summary>Notes that <paramref name="shard"/>'s stored state holds <paramref name="partition"/> through <paramref name="through"/>.</summary>
    public void NoteStored(int shard, int partition, long through) =>
        _stored.AddOrUpdate((shard, partition), through, (_, had) => Math.Max(had, through));

    /// <summary>
    /// Adds <paramref name="consumed"/> (the partition moved past it) and purges the partition's
    /// units its shards have stored; <paramref name="closingReads"/> &gt; 0 at the partition's close
    /// reads the shards of every unit left, up to that many times, <c>poll</c> apart.
    /// A partition's calls must not overlap.
    /// </summary>
    public async Task PurgeAsync(int partition, ConsumedUnit? consumed, int closingReads, CancellationToken cancellation)
    {
        var waiting = _waiting.GetOrAdd(partition, _ => []);
        if (consumed is not null)
        {
            waiting.Add(consumed);
        }
        int keep = closingReads > 0 ? 0 : keepBeforeRead;
        string? unread = null;
        await PurgeStoredAsync(partition, waiting, cancellation);
        for (int reads = 0; waiting.Count > keep && reads < Math.Max(closingReads, 1); reads++)
        {
            unread = null;
            if (reads > 0)
            {
                // At the close, a shard's commit may still be a moment behind the last unit's reply.
                await Task.Delay(poll, cancellation);
            }
            var unstored = waiting.Take(waiting.Count - keep)
                .SelectMany(unit => unit.Shards.Where(shard => StoredOf(shard, partition) < unit.Through))
                .Distinct()
                .ToList();
            foreach (int shard in unstored)
            {
                try
                {
                    var state = await hub.GetEntityStateAsync<FlowShardState>(FlowShardEntity.Name, FlowShards.EntityKey(chainName, shard), cancellation);
                    NoteStored(shard, partition, state?.Batches.GetValueOrDefault(partition, -1) ?? -1);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Not a lost batch: the unit just stays until a later reply or read shows it stored.
                    // (A read can race the entity's next commit, which deletes the large-message blob
                    // the instance row still named a moment before.)
                    unread = $"flow shard {shard}: reading its state to purge what partition {partition} consumed failed: {e.Message.Split('\n')[0]}";
                }
            }
            await PurgeStoredAsync(partition, waiting, cancellation);
        }
        if (closingReads > 0 && unread is not null && waiting.Count > 0)
        {
            failure(unread);
        }
    }

    private async Task PurgeStoredAsync(int partition, List<ConsumedUnit> waiting, CancellationToken cancellation)
    {
        foreach (var unit in waiting.Where(unit => unit.Shards.All(shard => StoredOf(shard, partition) >= unit.Through)).ToList())
        {
            waiting.Remove(unit);
            await purge(unit, cancellation);
        }
    }

    private long StoredOf(int shard, int partition) => _stored.GetValueOrDefault((shard, partition), -1);
}

/// <summary>A consumed batch or group commit: its instance and blobs, the last sequence number it holds and the shards that must store it before they go.</summary>
internal sealed record ConsumedUnit(string InstanceId, IReadOnlyList<string> Blobs, long Through, IReadOnlyList<int> Shards);
