using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Tests.Fakes;

/// <summary>An entity's id and the signals its operations sent.</summary>
internal sealed class FakeEntityContext(EntityInstanceId id) : TaskEntityContext
{
    public override EntityInstanceId Id { get; } = id;

    public List<(EntityInstanceId Target, string Operation, object? Input, SignalEntityOptions? Options)> Signals { get; } = [];

    public override void SignalEntity(EntityInstanceId id, string operationName, object? input = null, SignalEntityOptions? options = null) =>
        Signals.Add((id, operationName, input, options));

    public override string ScheduleNewOrchestration(Microsoft.DurableTask.TaskName name, object? input = null, Microsoft.DurableTask.StartOrchestrationOptions? options = null) =>
        throw new NotSupportedException("entities here start no orchestrations");
}
