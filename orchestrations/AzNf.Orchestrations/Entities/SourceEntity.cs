using AzNf.Orchestrations.Models;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Entities;

/// <summary>
/// The <c>source</c> entity, one per source address (the key is the address as text): alerts,
/// drops, new flows and distinct destination ports within a window. Over a
/// <see cref="SourceLimits"/> threshold it signals the <c>blocklist</c> entity's <c>Block</c>, once
/// per block period. A quiet source's state is deleted by an <c>Expire</c> self-signal once its
/// window and any block have ended. Operations: <c>Record</c>, <c>Get</c>, <c>Expire</c>.
/// </summary>
public sealed class SourceEntity : TaskEntity<SourceEntityState>
{
    public const string Name = "source";

    private readonly TimeProvider _clock;
    private readonly SourceLimits _limits;

    public SourceEntity()
        : this(TimeProvider.System, SourceLimits.Default)
    {
    }

    internal SourceEntity(TimeProvider clock, SourceLimits limits)
    {
        _clock = clock;
        _limits = limits;
    }

    public SourceEntityState Get() => State;

    /// <summary>The scheduled self-signal: deletes the state when nothing was recorded in the last window and no block is running.</summary>
    public void Expire()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        State.ExpiryDueUtc = null;
        var quietFrom = State.WindowStartUtc + _limits.Window;
        var blockEnds = State.BlockedUntilUtc ?? DateTime.MinValue;
        if (now >= quietFrom && now >= blockEnds)
        {
            State = null!;
            return;
        }
        ScheduleExpiry(quietFrom > blockEnds ? quietFrom : blockEnds);
    }

    /// <summary>Adds one unit's activity from this source (signalled once per unit, merged).</summary>
    public void Record(SourceDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var now = _clock.GetUtcNow().UtcDateTime;
        if (now - State.WindowStartUtc >= _limits.Window)
        {
            if (State.ExpiryDueUtc is null)
            {
                ScheduleExpiry(now + _limits.Window);
            }
            State.WindowStartUtc = now;
            State.Alerts = State.Drops = State.NewFlows = 0;
            State.DestinationPorts.Clear();
        }
        State.Alerts += delta.Alerts;
        State.Drops += delta.Drops;
        State.NewFlows += delta.NewFlows;
        foreach (ushort port in delta.DestinationPorts)
        {
            if (State.DestinationPorts.Count >= _limits.DistinctPorts)
            {
                break;
            }
            State.DestinationPorts.Add(port);
        }

        string? reason = State.Alerts >= _limits.Alerts ? $"{State.Alerts} alerts"
            : State.DestinationPorts.Count >= _limits.DistinctPorts ? $"{State.DestinationPorts.Count} destination ports"
            : State.NewFlows >= _limits.NewFlows ? $"{State.NewFlows} new flows"
            : null;
        if (reason is not null && (State.BlockedUntilUtc is null || State.BlockedUntilUtc <= now))
        {
            var until = now + _limits.BlockFor;
            State.BlockedUntilUtc = until;
            Context.SignalEntity(
                new EntityInstanceId(BlocklistEntity.Name, BlocklistEntity.Key),
                nameof(BlocklistEntity.Block),
                new BlockRequest(Context.Id.Key, until, $"{reason} within {_limits.Window.TotalSeconds:0} s"));
        }
    }

    private void ScheduleExpiry(DateTime dueUtc)
    {
        State.ExpiryDueUtc = dueUtc;
        Context.SignalEntity(Context.Id, nameof(Expire), new SignalEntityOptions { SignalTime = new DateTimeOffset(dueUtc, TimeSpan.Zero) });
    }
}
