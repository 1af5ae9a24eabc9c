using AzNf.Orchestrations.Models;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Entities;

/// <summary>
/// The <c>counters</c> entity (one, key <c>global</c>): packets, bytes, alerts, drops and deadline
/// misses per stage over every unit. Each orchestration signals <c>Add</c> once with its merged
/// totals. Operations: <c>Add</c>, <c>Get</c>.
/// </summary>
public sealed class GlobalCountersEntity : TaskEntity<GlobalCountersState>
{
    public const string Name = "counters";
    public const string Key = "global";

    public GlobalCountersState Get() => State;

    public void Add(CounterDelta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        State.Units += delta.Units;
        State.Duplicates += delta.Duplicates;
        State.Packets += delta.Packets;
        State.Bytes += delta.Bytes;
        State.Alerts += delta.Alerts;
        State.Drops += delta.Drops;
        foreach (var (stage, misses) in delta.DeadlineMissesByStage)
        {
            State.DeadlineMissesByStage[stage] = State.DeadlineMissesByStage.GetValueOrDefault(stage) + misses;
        }
    }
}
