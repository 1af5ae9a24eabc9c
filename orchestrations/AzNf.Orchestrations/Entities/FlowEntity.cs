using AzNf.Orchestrations.Models;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Entities;

/// <summary>
/// The <c>flow</c> entity, one per flow key: the flow's NF state between units of work, versioned
/// by the last event sequence number applied. Operations: <c>Get</c>, <c>Apply</c>, <c>Expire</c>, <c>DeleteTombstone</c>.
/// </summary>
/// <remarks>
/// Idle expiry: the first Apply schedules an <c>Expire</c> self-signal one idle timeout ahead; when
/// it fires, the state is deleted if nothing was applied since, or the signal is scheduled again
/// for one idle timeout after the last Apply. So a busy flow has one pending signal, not one per unit.
/// The idle timeout is the flow's class timeout from the chain file, in wall-clock time (the chain
/// itself expires flows in capture time when it runs them), but never less than
/// <see cref="MinimumIdleTimeout"/>: a replayed capture or a run resumed after a crash takes far
/// longer in wall-clock time than the capture-time timeouts (a closed TCP flow's is seconds), and
/// expiring then would drop live flows from the report.
/// Expiry keeps a tombstone — the version, without the snapshot — so a unit delivered again
/// after its flow expired is still recognised as applied and never counted twice.
/// Tombstones are removed by <c>DeleteTombstone</c>, which the idle-flow sweep signals once one is older than
/// the time an event can still be redelivered; the entity re-checks by its own clock, so an Apply
/// that lands between the sweep's query and its signal keeps the flow.
/// (Not named <c>Delete</c>: the SDK matches operation names case-insensitively, and its implicit
/// <c>delete</c> must stay what it is for admin tools.)
/// </remarks>
public sealed class FlowEntity : TaskEntity<FlowEntityState?>
{
    public const string Name = "flow";

    /// <summary>Used when an update carries no idle timeout.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The shortest wall-clock idle time before a flow's snapshot is dropped.</summary>
    public static readonly TimeSpan MinimumIdleTimeout = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _clock;
    private readonly TimeSpan _minimumIdle;

    public FlowEntity()
        : this(TimeProvider.System, MinimumIdleTimeout)
    {
    }

    internal FlowEntity(TimeProvider clock, TimeSpan minimumIdle)
    {
        _clock = clock;
        _minimumIdle = minimumIdle;
    }

    /// <summary>The flow's state; null when the flow has none (never seen, or expired).</summary>
    public FlowEntityState? Get() => State;

    /// <summary>
    /// Stores <paramref name="update"/>'s snapshot unless its version is not newer than the one
    /// held (a unit applied twice, or a late write): then it is counted and ignored.
    /// </summary>
    /// <returns>True when applied.</returns>
    public bool Apply(FlowUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        State ??= new FlowEntityState();
        if (update.Version <= State.Version)
        {
            State.IgnoredApplies++;
            return false;
        }
        var now = _clock.GetUtcNow().UtcDateTime;
        State.Version = update.Version;
        State.Snapshot = update.Snapshot;
        State.LastAppliedUtc = now;
        State.IdleTimeoutSeconds = Math.Max(update.IdleTimeoutSeconds > 0 ? update.IdleTimeoutSeconds : DefaultIdleTimeout.TotalSeconds, _minimumIdle.TotalSeconds);
        if (State.ExpiryDueUtc is null)
        {
            ScheduleExpiry(now + TimeSpan.FromSeconds(State.IdleTimeoutSeconds));
        }
        return true;
    }

    /// <summary>The scheduled self-signal: drops the snapshot (keeping the version) if the flow stayed idle for its timeout.</summary>
    public void Expire()
    {
        if (State is null)
        {
            return;
        }
        State.ExpiryDueUtc = null;
        var idleUntil = State.LastAppliedUtc + TimeSpan.FromSeconds(State.IdleTimeoutSeconds);
        if (_clock.GetUtcNow().UtcDateTime >= idleUntil)
        {
            State.Snapshot = null;
            return;
        }
        ScheduleExpiry(idleUntil);
    }

    /// <summary>
    /// Removes the entity if it is a tombstone (no snapshot) and nothing was applied for longer than
    /// <paramref name="request"/>'s retention; otherwise leaves it as it is.
    /// </summary>
    /// <returns>True when removed.</returns>
    public bool DeleteTombstone(FlowDeleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // A zero or negative retention would drop versions a redelivered unit still needs: a caller's bug, not a no-op.
        if (!double.IsFinite(request.RetentionSeconds) || request.RetentionSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.RetentionSeconds, "the tombstone retention must be a positive number of seconds");
        }
        if (State is null || State.Snapshot is not null)
        {
            return false;
        }
        // The entity's clock, not the sweep's: operations on one entity run one at a time, so an
        // Apply queued before this DeleteTombstone has already moved LastAppliedUtc forward.
        if ((_clock.GetUtcNow().UtcDateTime - State.LastAppliedUtc).TotalSeconds <= request.RetentionSeconds)
        {
            return false;
        }
        State = null;
        return true;
    }

    protected override FlowEntityState? InitializeState(TaskEntityOperation entityOperation) => null;

    private void ScheduleExpiry(DateTime dueUtc)
    {
        State!.ExpiryDueUtc = dueUtc;
        Context.SignalEntity(Context.Id, nameof(Expire), new SignalEntityOptions { SignalTime = new DateTimeOffset(dueUtc, TimeSpan.Zero) });
    }
}
