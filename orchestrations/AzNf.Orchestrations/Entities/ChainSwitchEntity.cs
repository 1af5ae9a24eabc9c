using AzNf.Orchestrations.Models;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Entities;

/// <summary>
/// The <c>chainswitch</c> entity, one per chain name: the desired state of the chain's input
/// (running or stopped). It is the control plane's single source of truth — every worker
/// instance reads it and starts or stops its own partition processor to match, so a stop reaches
/// every instance, not only the one an HTTP call landed on. Operations: <c>Start</c>, <c>Stop</c>,
/// <c>Get</c>.
/// </summary>
public sealed class ChainSwitchEntity : TaskEntity<ChainSwitchState>
{
    public const string Name = "chainswitch";

    private readonly TimeProvider _clock;

    public ChainSwitchEntity()
        : this(TimeProvider.System)
    {
    }

    internal ChainSwitchEntity(TimeProvider clock) => _clock = clock;

    public ChainSwitchState Get() => State;

    /// <summary>Turns the chain on; returns the state's version (unchanged if it was already running).</summary>
    public long Start(string? reason) => Set(running: true, reason);

    /// <summary>Turns the chain off; returns the state's version (unchanged if it was already stopped).</summary>
    public long Stop(string? reason) => Set(running: false, reason);

    private long Set(bool running, string? reason)
    {
        if (State.Running == running && State.Version > 0)
        {
            return State.Version;
        }
        State.Running = running;
        State.ChangedUtc = _clock.GetUtcNow().UtcDateTime;
        State.Reason = reason;
        return ++State.Version;
    }
}
