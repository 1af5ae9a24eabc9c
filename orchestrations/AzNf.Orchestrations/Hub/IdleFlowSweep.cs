using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// The periodic clean-up of <c>flow</c> entities, independent of the host that runs it (a Functions
/// timer trigger, a test): expires idle flows whose <c>Expire</c> self-signal was lost, and deletes
/// tombstones once no redelivered event can need their version any more.
/// </summary>
/// <remarks>
/// The sweep only decides and signals; the entity checks again by its own clock when the signal
/// runs (an Apply may land in between), so a sweep with a wrong clock or stale query results can
/// delay clean-up but never drop a live flow or a needed tombstone before its time.
/// </remarks>
public static class IdleFlowSweep
{
    /// <summary>What the sweep does to a flow entity in <paramref name="state"/> at <paramref name="nowUtc"/>.</summary>
    public static FlowSweepAction Decide(FlowEntityState state, DateTime nowUtc, IdleFlowSweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        // Differences, never sums, so odd stored times (MinValue before any Apply) cannot overflow.
        var idle = nowUtc - state.LastAppliedUtc;
        if (state.Snapshot is null)
        {
            return idle > options.TombstoneRetention ? FlowSweepAction.Delete : FlowSweepAction.None;
        }
        if (idle.TotalSeconds <= state.IdleTimeoutSeconds)
        {
            return FlowSweepAction.None;
        }
        // Idle: the entity's own Expire will drop it unless that signal is gone (a message lost or
        // dead-lettered, an entity written by a build that scheduled none).
        bool expiryLost = state.ExpiryDueUtc is not { } due || nowUtc - due > options.ExpiryGrace;
        return expiryLost ? FlowSweepAction.Expire : FlowSweepAction.None;
    }

    /// <summary>
    /// Reads every flow entity, and signals <c>Expire</c> or <c>DeleteTombstone</c> where <see cref="Decide"/>
    /// says so, up to <see cref="IdleFlowSweepOptions.MaxSignalsPerSweep"/>; at the limit it stops
    /// reading too, so the next sweep starts over with what is left.
    /// </summary>
    public static async Task<IdleFlowSweepResult> SweepAsync(IChainTaskHub hub, DateTime nowUtc, IdleFlowSweepOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var deleteRequest = new FlowDeleteRequest(options.TombstoneRetention.TotalSeconds);
        int scanned = 0, live = 0, tombstones = 0, expires = 0, deletes = 0;
        bool truncated = false;
        await foreach (var (key, state) in hub.QueryEntitiesAsync<FlowEntityState>(FlowEntity.Name, cancellation))
        {
            var action = Decide(state, nowUtc, options);
            if (action != FlowSweepAction.None && expires + deletes == options.MaxSignalsPerSweep)
            {
                truncated = true;
                break;
            }
            scanned++;
            if (state.Snapshot is null)
            {
                tombstones++;
            }
            else
            {
                live++;
            }
            if (action == FlowSweepAction.Expire)
            {
                await hub.SignalEntityAsync(FlowEntity.Name, key, nameof(FlowEntity.Expire), null, cancellation);
                expires++;
            }
            else if (action == FlowSweepAction.Delete)
            {
                await hub.SignalEntityAsync(FlowEntity.Name, key, nameof(FlowEntity.DeleteTombstone), deleteRequest, cancellation);
                deletes++;
            }
        }
        return new IdleFlowSweepResult(scanned, live, tombstones, expires, deletes, truncated);
    }
}
