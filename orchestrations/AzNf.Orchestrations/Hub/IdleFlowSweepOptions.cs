namespace AzNf.Orchestrations.Hub;

/// <summary>When the idle-flow sweep expires a flow or deletes a tombstone, and how much one sweep may do.</summary>
public sealed record IdleFlowSweepOptions
{
    /// <summary>
    /// How long a tombstone is kept after its flow's last Apply. It must exceed how long an event
    /// can be redelivered — the event hub's retention (1 day by default, up to 7 on Standard, 90 on
    /// Premium and Dedicated) — because the tombstone's version is what recognises a redelivered
    /// unit as already applied: without it the unit would be counted again. Measured from the last
    /// Apply, which happens after the event was enqueued, so the window is covered from the start.
    /// </summary>
    public TimeSpan TombstoneRetention { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How late a live flow's scheduled <c>Expire</c> may be before the sweep sends another: a
    /// signal due a moment ago is usually queued, not lost, and a second one would only be ignored work.
    /// </summary>
    public TimeSpan ExpiryGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most signals one sweep sends; the rest wait for the next sweep. Explicit, so a backlog
    /// (a long outage, a first sweep over tombstones kept forever) cannot make one timer run
    /// outlast its function timeout or flood the entity queues ahead of live work.
    /// </summary>
    public int MaxSignalsPerSweep { get; init; } = 10_000;

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TombstoneRetention, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ExpiryGrace, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSignalsPerSweep, 1);
    }
}
