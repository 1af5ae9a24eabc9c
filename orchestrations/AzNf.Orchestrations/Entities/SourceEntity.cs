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
        bool windowRestarted = Add(State, delta, now, _limits, out var block);
        if (windowRestarted && State.ExpiryDueUtc is null)
        {
            ScheduleExpiry(now + _limits.Window);
        }
        if (block is not null)
        {
            Context.SignalEntity(
                new EntityInstanceId(BlocklistEntity.Name, BlocklistEntity.Key),
                nameof(BlocklistEntity.Block),
                block with { Address = Context.Id.Key });
        }
    }

    /// <summary>
    /// Adds <paramref name="delta"/> to one source's window (a new window when the last one has
    /// passed) and decides whether the source crossed a threshold: then <paramref name="block"/>
    /// is the blocklist request (its address left for the caller), once per block period.
    /// </summary>
    /// <returns>True when a new window started.</returns>
    internal static bool Add(SourceEntityState state, SourceDelta delta, DateTime now, SourceLimits limits, out BlockRequest? block)
    {
        bool restarted = false;
        if (now - state.WindowStartUtc >= limits.Window)
        {
            restarted = true;
            state.WindowStartUtc = now;
            state.Alerts = state.Drops = state.NewFlows = 0;
            state.DestinationPorts.Clear();
        }
        state.Alerts += delta.Alerts;
        state.Drops += delta.Drops;
        state.NewFlows += delta.NewFlows;
        foreach (ushort port in delta.DestinationPorts)
        {
            if (state.DestinationPorts.Count >= limits.DistinctPorts)
            {
                break;
            }
            state.DestinationPorts.Add(port);
        }

        string? reason = state.Alerts >= limits.Alerts ? $"{state.Alerts} alerts"
            : state.DestinationPorts.Count >= limits.DistinctPorts ? $"{state.DestinationPorts.Count} destination ports"
            : state.NewFlows >= limits.NewFlows ? $"{state.NewFlows} new flows"
            : null;
        block = null;
        if (reason is not null && (state.BlockedUntilUtc is null || state.BlockedUntilUtc <= now))
        {
            var until = now + limits.BlockFor;
            state.BlockedUntilUtc = until;
            block = new BlockRequest(string.Empty, until, $"{reason} within {limits.Window.TotalSeconds:0} s");
        }
        return restarted;
    }

    private void ScheduleExpiry(DateTime dueUtc)
    {
        State.ExpiryDueUtc = dueUtc;
        Context.SignalEntity(Context.Id, nameof(Expire), new SignalEntityOptions { SignalTime = new DateTimeOffset(dueUtc, TimeSpan.Zero) });
    }
}
