using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AzNf.Orchestrations.Batches;

/// <summary>
/// The flows of one shard: per flow key, the version applied (last event sequence number through
/// every stage), a staged batch's progress, the partition and capture time of its last packet (idle
/// expiry), the wall-clock time it was last applied, the NF snapshot (null: a tombstone — the
/// flow ended, its version kept while a redelivery could still bring its packets back) and its
/// alias (a NAT's translated reply tuple, by which the flow's replies find it). Stored as one
/// Brotli-compressed binary blob.
/// </summary>
/// <remarks>
/// The map remembers which flows changed since it was decoded (<see cref="Set"/>,
/// <see cref="Retire"/>, <see cref="Remove"/>), so that a shard can store only those as a
/// <i>delta</i> (<see cref="EncodeChanges"/>): the same format, with the keys removed listed after
/// the flows. A delta applied over the map it was made from (<see cref="Apply"/>) gives the map
/// again.
/// </remarks>
public sealed class FlowShardMap
{
    private const uint Magic = 0x344D5346; // "FSM4"

    /// <summary>The format before flows kept an alias: still read.</summary>
    private const uint MagicWithoutAlias = 0x334D5346; // "FSM3"

    /// <summary>The format before flows kept their partition and capture time: still read (their flows expire by the wall clock).</summary>
    private const uint MagicWithoutCaptureTime = 0x324D5346; // "FSM2"

    private const int FixedBytes = 50;
    private const int FixedBytesWithoutCaptureTime = 38;

    private readonly Dictionary<string, ShardFlow> _flows = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly List<string> _removed = [];
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, ShardFlow> Flows => _flows;

    /// <summary>Live flows' aliases (<see cref="ShardFlow.Alias"/>) → their keys.</summary>
    public IReadOnlyDictionary<string, string> Aliases => _aliases;

    /// <summary>Flows set, retired or removed since the map was decoded (or made).</summary>
    public int Changes => _changed.Count;

    /// <summary>Puts <paramref name="flow"/> under <paramref name="key"/>, replacing what was there.</summary>
    public void Set(string key, ShardFlow flow)
    {
        Put(key, flow);
        _changed.Add(key);
    }

    /// <summary>Makes a held flow a tombstone: its snapshot goes, its version stays.</summary>
    public void Retire(string key)
    {
        if (_flows.TryGetValue(key, out var flow) && flow.Snapshot is not null)
        {
            Unalias(flow);
            flow.Snapshot = null;
            flow.Alias = null;
            _changed.Add(key);
        }
    }

    /// <summary>Forgets a flow, tombstone and version included.</summary>
    public void Remove(string key)
    {
        if (_flows.Remove(key, out var flow))
        {
            Unalias(flow);
            _changed.Add(key);
        }
    }

    /// <summary>Forgets what changed: the map is now what its state stores (a map kept between steps starts its next delta here).</summary>
    public void AcceptChanges()
    {
        _changed.Clear();
        _removed.Clear();
    }

    /// <summary>Applies a delta (<see cref="EncodeChanges"/>, decoded) over this map, as loading does: nothing is marked changed.</summary>
    public void Apply(FlowShardMap delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        foreach (var (key, flow) in delta._flows)
        {
            Put(key, flow);
        }
        foreach (string key in delta._removed)
        {
            if (_flows.Remove(key, out var flow))
            {
                Unalias(flow);
            }
        }
    }

    private void Put(string key, ShardFlow flow)
    {
        if (_flows.TryGetValue(key, out var old))
        {
            Unalias(old);
        }
        _flows[key] = flow;
        if (flow.Alias is { } alias && flow.Snapshot is not null)
        {
            _aliases[alias] = key;
        }
    }

    private void Unalias(ShardFlow flow)
    {
        if (flow.Alias is { } alias)
        {
            _aliases.Remove(alias);
        }
    }

    /// <summary>Encodes the whole map: magic, count, then per flow key, versions, times and snapshot; Brotli at quality 1 (fast, and snapshots are mostly zeros and small numbers).</summary>
    public byte[] Encode() => EncodeFlows(_flows, []);

    /// <summary>Encodes only the flows changed since the map was decoded, and the keys removed.</summary>
    public byte[] EncodeChanges()
    {
        var flows = new Dictionary<string, ShardFlow>(StringComparer.Ordinal);
        var removed = new List<string>();
        foreach (string key in _changed)
        {
            if (_flows.TryGetValue(key, out var flow))
            {
                flows[key] = flow;
            }
            else
            {
                removed.Add(key);
            }
        }
        return EncodeFlows(flows, removed);
    }

    private static byte[] EncodeFlows(Dictionary<string, ShardFlow> flows, List<string> removed)
    {
        int size = 12;
        foreach (var (key, flow) in flows)
        {
            size += 2 + Encoding.UTF8.GetByteCount(key) + FixedBytes + (flow.Snapshot?.Length ?? 0) + 2 + Encoding.UTF8.GetByteCount(flow.Alias ?? "");
        }
        foreach (string key in removed)
        {
            size += 2 + Encoding.UTF8.GetByteCount(key);
        }
        byte[] raw = new byte[size];
        var span = raw.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], flows.Count);
        int at = 8;
        foreach (var (key, flow) in flows)
        {
            at += WriteKey(span[at..], key);
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], flow.Version);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], flow.StagedBatch);
            BinaryPrimitives.WriteInt16LittleEndian(span[(at + 16)..], (short)flow.StagesDone);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 18)..], flow.LastAppliedUtc.Ticks);
            BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 26)..], flow.IdleTimeoutSeconds);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 34)..], flow.Partition);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 38)..], flow.LastSeenNanos);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 46)..], flow.Snapshot?.Length ?? -1);
            at += FixedBytes;
            if (flow.Snapshot is { } snapshot)
            {
                snapshot.CopyTo(span[at..]);
                at += snapshot.Length;
            }
            at += WriteKey(span[at..], flow.Alias ?? "");
        }
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], removed.Count);
        at += 4;
        foreach (string key in removed)
        {
            at += WriteKey(span[at..], key);
        }
        byte[] compressed = new byte[BrotliEncoder.GetMaxCompressedLength(size)];
        if (!BrotliEncoder.TryCompress(raw, compressed, out int written, quality: 1, window: 22))
        {
            throw new InvalidOperationException("flow shard map: Brotli could not compress into its own maximum size");
        }
        return compressed.AsSpan(0, written).ToArray();
    }

    /// <summary>What <see cref="WriteKey"/> wrote at <paramref name="at"/> (moved past it), or null when the bytes are cut.</summary>
    private static string? ReadKey(ReadOnlySpan<byte> span, ref int at)
    {
        int keyBytes = span.Length - at < 2 ? -1 : BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
        if (keyBytes < 0 || span.Length - at < 2 + keyBytes)
        {
            return null;
        }
        string key = Encoding.UTF8.GetString(span.Slice(at + 2, keyBytes));
        at += 2 + keyBytes;
        return key;
    }

    private static int WriteKey(Span<byte> span, string key)
    {
        int keyBytes = Encoding.UTF8.GetBytes(key, span[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span, checked((ushort)keyBytes));
        return 2 + keyBytes;
    }

    /// <summary>Decodes what <see cref="Encode"/> or <see cref="EncodeChanges"/> wrote.</summary>
    /// <exception cref="FlowShardMapException">The bytes are not a shard map; the message names <paramref name="where"/>.</exception>
    public static FlowShardMap Decode(byte[]? encoded, string where)
    {
        var map = new FlowShardMap();
        if (encoded is null || encoded.Length == 0)
        {
            return map;
        }
        using var input = new MemoryStream(encoded);
        using var brotli = new BrotliStream(input, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        try
        {
            brotli.CopyTo(raw);
        }
        catch (InvalidDataException e)
        {
            throw new FlowShardMapException($"{where}: flow map is not Brotli data: {e.Message}");
        }
        var span = raw.GetBuffer().AsSpan(0, (int)raw.Length);
        uint magic = span.Length < 8 ? 0 : BinaryPrimitives.ReadUInt32LittleEndian(span);
        if (magic is not (Magic or MagicWithoutAlias or MagicWithoutCaptureTime))
        {
            throw new FlowShardMapException($"{where}: flow map has no FSM4 (or FSM3, FSM2) header");
        }
        bool captureTime = magic != MagicWithoutCaptureTime;
        bool alias = magic == Magic;
        int fixedBytes = captureTime ? FixedBytes : FixedBytesWithoutCaptureTime;
        int count = BinaryPrimitives.ReadInt32LittleEndian(span[4..]);
        int at = 8;
        for (int i = 0; i < count; i++)
        {
            if (span.Length - at < 2)
            {
                throw new FlowShardMapException($"{where}: flow map cut in flow {i} of {count}");
            }
            int keyBytes = BinaryPrimitives.ReadUInt16LittleEndian(span[at..]);
            if (span.Length - at < 2 + keyBytes + fixedBytes)
            {
                throw new FlowShardMapException($"{where}: flow map cut in flow {i} of {count}");
            }
            string key = Encoding.UTF8.GetString(span.Slice(at + 2, keyBytes));
            at += 2 + keyBytes;
            var flow = new ShardFlow
            {
                Version = BinaryPrimitives.ReadInt64LittleEndian(span[at..]),
                StagedBatch = BinaryPrimitives.ReadInt64LittleEndian(span[(at + 8)..]),
                StagesDone = BinaryPrimitives.ReadInt16LittleEndian(span[(at + 16)..]),
                LastAppliedUtc = new DateTime(BinaryPrimitives.ReadInt64LittleEndian(span[(at + 18)..]), DateTimeKind.Utc),
                IdleTimeoutSeconds = BinaryPrimitives.ReadDoubleLittleEndian(span[(at + 26)..]),
            };
            if (captureTime)
            {
                flow.Partition = BinaryPrimitives.ReadInt32LittleEndian(span[(at + 34)..]);
                flow.LastSeenNanos = BinaryPrimitives.ReadInt64LittleEndian(span[(at + 38)..]);
            }
            int snapshotLength = BinaryPrimitives.ReadInt32LittleEndian(span[(at + fixedBytes - 4)..]);
            at += fixedBytes;
            if (snapshotLength >= 0)
            {
                if (span.Length - at < snapshotLength)
                {
                    throw new FlowShardMapException($"{where}: flow {key}: snapshot of {snapshotLength} bytes cut");
                }
                flow.Snapshot = span.Slice(at, snapshotLength).ToArray();
                at += snapshotLength;
            }
            if (alias)
            {
                string text = ReadKey(span, ref at) ?? throw new FlowShardMapException($"{where}: flow {key}: alias cut");
                flow.Alias = text.Length == 0 ? null : text;
            }
            map.Put(key, flow);
        }
        if (span.Length - at < 4)
        {
            throw new FlowShardMapException($"{where}: flow map cut after its {count} flows");
        }
        int removed = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        at += 4;
        for (int i = 0; i < removed; i++)
        {
            map._removed.Add(ReadKey(span, ref at) ?? throw new FlowShardMapException($"{where}: flow map cut in removed key {i} of {removed}"));
        }
        if (at != span.Length)
        {
            throw new FlowShardMapException($"{where}: {span.Length - at} bytes after the last of {count} flows");
        }
        return map;
    }
}

/// <summary>One flow as its shard holds it.</summary>
public sealed class ShardFlow
{
    /// <summary>Sequence number of the last event whose packets went through every stage (-1: none).</summary>
    public long Version { get; set; } = -1;

    /// <summary>Staged mode: the batch (its last sequence number) whose later stages are still to run; 0 when none.</summary>
    public long StagedBatch { get; set; }

    /// <summary>Staged mode: stages of <see cref="StagedBatch"/> done for this flow.</summary>
    public int StagesDone { get; set; }

    /// <summary>Wall-clock time of the step that last changed the flow (tombstone retention; the idle expiry of flows without a partition).</summary>
    public DateTime LastAppliedUtc { get; set; }

    /// <summary>The idle timeout of the flow's class (for a flow without a partition, raised to the wall-clock floor).</summary>
    public double IdleTimeoutSeconds { get; set; }

    /// <summary>
    /// The partition whose packets the flow's are (its capture clock expires it, and its batch
    /// watermark retires its tombstone); −1 for a flow the fast path committed or one stored before
    /// flows kept it, which expires by the wall clock.
    /// </summary>
    public int Partition { get; set; } = -1;

    /// <summary>Capture time of the flow's last packet, nanoseconds since the Unix epoch.</summary>
    public long LastSeenNanos { get; set; }

    /// <summary>The NF state (<see cref="AzNf.NetworkFunctions.Chain.FlowSnapshot"/>); null for a tombstone.</summary>
    public byte[]? Snapshot { get; set; }

    /// <summary>A second key the live flow answers to (a NAT's translated reply tuple), or null.</summary>
    public string? Alias { get; set; }
}

/// <summary>A stored flow map cannot be read.</summary>
public sealed class FlowShardMapException(string message) : Exception(message);
