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

    public SourceShardState Get() => State;

    /// <summary>Adds one batch's updates, address by address, and reports each address that crossed a threshold to the blocklist.</summary>
    public void Record(IReadOnlyList<SourceUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var now = _clock.GetUtcNow().UtcDateTime;
        foreach (var (address, state) in State.Sources.ToList())
        {
            if (now - state.WindowStartUtc >= _limits.Window && (state.BlockedUntilUtc is null || state.BlockedUntilUtc <= now))
            {
                State.Sources.Remove(address);
            }
        }
        foreach (var update in updates)
        {
            if (!State.Sources.TryGetValue(update.Address, out var state))
            {
                State.Sources[update.Address] = state = new SourceEntityState();
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
    }

    protected override SourceShardState InitializeState(TaskEntityOperation entityOperation) => new();
}

/// <summary>The <c>sources</c> entity's state: per address, its window.</summary>
public sealed class SourceShardState
{
    public Dictionary<string, SourceEntityState> Sources { get; set; } = new(StringComparer.Ordinal);
}
