using System.Text.Json;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Tests.Fakes;

/// <summary>An entity's stored state, kept as JSON between operations as a backend keeps it.</summary>
internal sealed class FakeEntityState : TaskEntityState
{
    public string? Json { get; set; }

    public override bool HasState => Json is not null;

    public override object? GetState(Type type) => Json is null ? null : JsonSerializer.Deserialize(Json, type);

    public override void SetState(object? state) => Json = state is null ? null : JsonSerializer.Serialize(state, state.GetType());
}
