namespace AzNf.Orchestrations.Batches;

/// <summary>
/// The decoded maps of the flow shards this process stepped last, so that the next step of a
/// shard on the same worker neither reads its blobs nor decodes them. An entry stands only for the
/// state it was stored as (<see cref="Entities.FlowShardState.MapId"/>, new with every state): a
/// step that finds another id (its state came from another worker, or a batch of operations was
/// not stored) loads the map from the state as before. A step takes the map out while it runs and
/// puts it back under the id of the state it stored, so a step that fails leaves nothing behind.
/// </summary>
/// <remarks>
/// Bounded by flows, least recently used first out (<see cref="Entities.FlowShardOptions.CachedFlows"/>).
/// One instance per process, shared by the shard entities (they live for one batch of operations).
/// </remarks>
public sealed class FlowShardMapCache(int maxFlows)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byShard = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = [];
    private long _flows;

    /// <summary>Most flows the cached maps hold together; 0 turns the cache off.</summary>
    public int MaxFlows { get; } = maxFlows >= 0 ? maxFlows : throw new ArgumentOutOfRangeException(nameof(maxFlows), maxFlows, "the cache's flow budget cannot be negative");

    /// <summary>Steps that found their shard's map here.</summary>
    public long Hits { get; private set; }

    /// <summary>Steps that loaded their shard's map from its state.</summary>
    public long Misses { get; private set; }

    /// <summary>The map stored as state <paramref name="mapId"/> of <paramref name="shard"/>, taken out (null: not here; load it).</summary>
    public FlowShardMap? Take(string shard, string? mapId)
    {
        lock (_lock)
        {
            if (!_byShard.TryGetValue(shard, out var node))
            {
                Misses++;
                return null;
            }
            Remove(node);
            if (mapId is null || node.Value.MapId != mapId)
            {
                Misses++;
                return null;
            }
            Hits++;
            return node.Value.Map;
        }
    }

    /// <summary>Keeps <paramref name="map"/>, with no changes pending, as state <paramref name="mapId"/> of <paramref name="shard"/>.</summary>
    public void Put(string shard, string? mapId, FlowShardMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (mapId is null || map.Flows.Count > MaxFlows)
        {
            return;
        }
        lock (_lock)
        {
            if (_byShard.TryGetValue(shard, out var old))
            {
                Remove(old);
            }
            var node = _recency.AddFirst(new Entry(shard, mapId, map, map.Flows.Count));
            _byShard[shard] = node;
            _flows += node.Value.Flows;
            while (_flows > MaxFlows && _recency.Last is { } oldest)
            {
                Remove(oldest);
            }
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _byShard.Remove(node.Value.Shard);
        _flows -= node.Value.Flows;
    }

    private sealed record Entry(string Shard, string MapId, FlowShardMap Map, int Flows);
}
