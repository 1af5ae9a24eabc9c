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
