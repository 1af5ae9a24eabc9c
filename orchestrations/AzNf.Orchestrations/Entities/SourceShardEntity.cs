using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Models;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Entities;

/// <summary>
/// The <c>sources</c> entity, one per source shard of a chain (key <c>{chain}:{shard}</c>, shard =
/// <see cref="FlowShards.ShardOf(string, int)"/> of the address): the <c>source</c> entity's
/// per-address windows and thresholds for every address of the shard, so that a batch of
/// thousands of flows costs one signal per source shard, not one per address. Operations:
/// <c>Record</c> (a batch's merged updates), <c>Get</c>.
/// </summary>
/// <remarks>
/// A quiet address (window over, no block running) is dropped at the next <c>Record</c>, so the
/// map holds the addresses active within one window plus the blocked ones.
/// </remarks>
public sealed class SourceShardEntity : TaskEntity<SourceShardState>
{
    public const string Name = "sources";

    private readonly TimeProvider _clock;
    private readonly SourceLimits _limits;

    public SourceShardEntity()
        : this(TimeProvider.System, SourceLimits.Default)
    {
    }

    internal SourceShardEntity(TimeProvider clock, SourceLimits limits)
    {
        _clock = clock;
        _limits = limits;
    }

    /// <summary>Every address's window in this shard.</summary>
    public IReadOnlyDictionary<string, SourceEntityState> Get() => SourceWindows.Decode(State.Windows, Context.Id.Key);

    /// <summary>Adds one batch's updates, address by address, and reports each address that crossed a threshold to the blocklist.</summary>
    public void Record(SourceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var updates = batch.Read(Context.Id.Key);
        var now = _clock.GetUtcNow().UtcDateTime;
        var sources = SourceWindows.Decode(State.Windows, Context.Id.Key);
        foreach (var (address, state) in sources.ToList())
        {
            if (now - state.WindowStartUtc >= _limits.Window && (state.BlockedUntilUtc is null || state.BlockedUntilUtc <= now))
            {
                sources.Remove(address);
            }
        }
        foreach (var update in updates)
        {
            if (!sources.TryGetValue(update.Address, out var state))
            {
                sources[update.Address] = state = new SourceEntityState();
            }
            SourceEntity.Add(state, new SourceDelta(update.Alerts, update.Drops, update.NewFlows, update.DestinationPorts), now, _limits, out var block);
            if (block is not null)
            {
                Context.SignalEntity(
                    new EntityInstanceId(BlocklistEntity.Name, BlocklistEntity.Key),
                    nameof(BlocklistEntity.Block),
                    block with { Address = update.Address });
            }
        }
        State.Windows = SourceWindows.Encode(sources);
        State.Sources = sources.Count;
    }

    protected override SourceShardState InitializeState(TaskEntityOperation entityOperation) => new();
}

/// <summary>
/// The <c>sources</c> entity's state: per address, its window, as one compressed binary map — as
/// JSON, a few hundred addresses already pass the backend's 60 KiB property limit and every write
/// would go through large-message blobs.
/// </summary>
public sealed class SourceShardState
{
    public byte[]? Windows { get; set; }

    /// <summary>Addresses held.</summary>
    public int Sources { get; set; }
}

/// <summary>
/// The input of the <c>sources</c> entity's <c>Record</c>: a batch's merged per-address updates for
/// one source shard, binary and compressed (a mixed-traffic batch has thousands of sources, and a
/// signal over the backend's 45 KB message limit goes through a blob).
/// </summary>
public sealed record SourceBatch(byte[] Updates)
{
    public static SourceBatch From(IReadOnlyList<SourceUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        using var raw = new MemoryStream();
        using (var writer = new BinaryWriter(raw, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(updates.Count);
            foreach (var update in updates)
            {
                writer.Write(update.Address);
                writer.Write(update.Alerts);
                writer.Write(update.Drops);
                writer.Write(update.NewFlows);
                writer.Write(update.DestinationPorts.Count);
                foreach (ushort port in update.DestinationPorts)
                {
                    writer.Write(port);
                }
            }
        }
        byte[] compressed = new byte[System.IO.Compression.BrotliEncoder.GetMaxCompressedLength((int)raw.Length)];
        System.IO.Compression.BrotliEncoder.TryCompress(raw.GetBuffer().AsSpan(0, (int)raw.Length), compressed, out int written, quality: 4, window: 22);
        return new SourceBatch(compressed.AsSpan(0, written).ToArray());
    }

    /// <exception cref="InvalidDataException">The bytes are not source updates; the message names <paramref name="shard"/>.</exception>
    public IReadOnlyList<SourceUpdate> Read(string shard)
    {
        try
        {
            using var brotli = new System.IO.Compression.BrotliStream(new MemoryStream(Updates), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new BinaryReader(brotli, System.Text.Encoding.UTF8);
            int count = reader.ReadInt32();
            var updates = new List<SourceUpdate>(Math.Min(count, 1 << 16));
            for (int i = 0; i < count; i++)
            {
                string address = reader.ReadString();
                long alerts = reader.ReadInt64(), drops = reader.ReadInt64(), newFlows = reader.ReadInt64();
                var ports = new ushort[reader.ReadInt32()];
                for (int p = 0; p < ports.Length; p++)
                {
                    ports[p] = reader.ReadUInt16();
                }
                updates.Add(new SourceUpdate(address, alerts, drops, newFlows, ports));
            }
            return updates;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"source shard {shard}: the batch's updates cannot be read: {e.Message}", e);
        }
    }
}

/// <summary>The binary form of a source shard's windows: per address its counters, ports and times; Brotli-compressed.</summary>
internal static class SourceWindows
{
    public static byte[] Encode(Dictionary<string, SourceEntityState> sources)
    {
        using var raw = new MemoryStream();
        using (var writer = new BinaryWriter(raw, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(sources.Count);
            foreach (var (address, state) in sources)
            {
                writer.Write(address);
                writer.Write(state.WindowStartUtc.Ticks);
                writer.Write(state.Alerts);
                writer.Write(state.Drops);
                writer.Write(state.NewFlows);
                writer.Write(state.BlockedUntilUtc?.Ticks ?? -1);
                writer.Write(state.DestinationPorts.Count);
                foreach (ushort port in state.DestinationPorts)
                {
                    writer.Write(port);
                }
            }
        }
        byte[] compressed = new byte[System.IO.Compression.BrotliEncoder.GetMaxCompressedLength((int)raw.Length)];
        System.IO.Compression.BrotliEncoder.TryCompress(raw.GetBuffer().AsSpan(0, (int)raw.Length), compressed, out int written, quality: 1, window: 22);
        return compressed.AsSpan(0, written).ToArray();
    }

    public static Dictionary<string, SourceEntityState> Decode(byte[]? encoded, string shard)
    {
        var sources = new Dictionary<string, SourceEntityState>(StringComparer.Ordinal);
        if (encoded is null || encoded.Length == 0)
        {
            return sources;
        }
        try
        {
            using var brotli = new System.IO.Compression.BrotliStream(new MemoryStream(encoded), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new BinaryReader(brotli, System.Text.Encoding.UTF8);
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                string address = reader.ReadString();
                var state = new SourceEntityState
                {
                    WindowStartUtc = new DateTime(reader.ReadInt64(), DateTimeKind.Utc),
                    Alerts = reader.ReadInt64(),
                    Drops = reader.ReadInt64(),
                    NewFlows = reader.ReadInt64(),
                };
                long blocked = reader.ReadInt64();
                state.BlockedUntilUtc = blocked < 0 ? null : new DateTime(blocked, DateTimeKind.Utc);
                int ports = reader.ReadInt32();
                for (int p = 0; p < ports; p++)
                {
                    state.DestinationPorts.Add(reader.ReadUInt16());
                }
                sources[address] = state;
            }
            return sources;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"source shard {shard}: its windows cannot be read: {e.Message}", e);
        }
    }
}
