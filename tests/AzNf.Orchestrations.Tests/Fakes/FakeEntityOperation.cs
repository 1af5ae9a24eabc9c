using System.Text.Json;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Tests.Fakes;

/// <summary>One entity operation run in memory; the input goes through JSON as it would on the wire.</summary>
internal sealed class FakeEntityOperation(string name, FakeEntityContext context, FakeEntityState state, object? input = null) : TaskEntityOperation
{
    private readonly string? _input = input is null ? null : JsonSerializer.Serialize(input, input.GetType());

    public override string Name { get; } = name;

    public override TaskEntityContext Context { get; } = context;

    public override TaskEntityState State { get; } = state;

    public override bool HasInput => _input is not null;

    public override object? GetInput(Type inputType) => _input is null ? null : JsonSerializer.Deserialize(_input, inputType);
}

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

/// <summary>An entity's stored state, kept as JSON between operations as a backend keeps it.</summary>
internal sealed class FakeEntityState : TaskEntityState
{
    public string? Json { get; set; }

    public override bool HasState => Json is not null;

    public override object? GetState(Type type) => Json is null ? null : JsonSerializer.Deserialize(Json, type);

    public override void SetState(object? state) => Json = state is null ? null : JsonSerializer.Serialize(state, state.GetType());
}
