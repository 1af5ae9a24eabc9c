using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Tests.Fakes;

/// <summary>Runs operations against one entity instance the way a backend does: state loaded before, saved after.</summary>
internal sealed class EntityHarness(ITaskEntity entity, string name, string key)
{
    public FakeEntityState State { get; } = new();

    public FakeEntityContext Context { get; } = new(new EntityInstanceId(name, key));

    public async Task<object?> RunAsync(string operation, object? input = null) =>
        await entity.RunAsync(new FakeEntityOperation(operation, Context, State, input));

    public T? Read<T>() where T : class => (T?)State.GetState(typeof(T));
}
