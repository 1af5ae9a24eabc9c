using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;

namespace AzNf.Orchestrations.Tests.Fakes;

/// <summary>
/// A task hub holding only flow entities, each in an <see cref="EntityHarness"/> on one clock: a
/// signal runs the operation at once (a backend runs it later; the sweep never waits for it) and is recorded.
/// </summary>
internal sealed class InMemoryFlowHub(TimeProvider clock) : IChainTaskHub
{
    private readonly SortedDictionary<string, EntityHarness> _flows = new(StringComparer.Ordinal);

    public List<(string Key, string Operation, object? Input)> Signals { get; } = [];

    public IPacketBatchStore Packets => throw new NotSupportedException("the idle-flow sweep never claim-checks packets");

    public Task PurgeAsync(string instanceId, CancellationToken cancellation = default) =>
        throw new NotSupportedException("the idle-flow sweep never purges instances");

    public EntityHarness Flow(string key)
    {
        if (!_flows.TryGetValue(key, out var flow))
        {
            flow = new EntityHarness(new FlowEntity(clock, TimeSpan.Zero), FlowEntity.Name, key);
            _flows.Add(key, flow);
        }
        return flow;
    }

    public IEnumerable<string> KeysWithState => _flows.Where(f => f.Value.State.HasState).Select(f => f.Key);

    public async Task SignalEntityAsync(string entityName, string key, string operation, object? input = null, CancellationToken cancellation = default)
    {
        Assert.Equal(FlowEntity.Name, entityName);
        Signals.Add((key, operation, input));
        await Flow(key).RunAsync(operation, input);
    }

    public async IAsyncEnumerable<(string Key, T State)> QueryEntitiesAsync<T>(string entityName, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        Assert.Equal(FlowEntity.Name, entityName);
        foreach (var (key, flow) in _flows.ToList())
        {
            await Task.Yield();
            if (flow.State.GetState(typeof(T)) is T state)
            {
                yield return (key, state);
            }
        }
    }

    public Task<T?> GetEntityStateAsync<T>(string entityName, string key, CancellationToken cancellation = default) =>
        Task.FromResult((T?)Flow(key).State.GetState(typeof(T)));

    public Task<bool> StartOrchestrationAsync(string name, string instanceId, object input, CancellationToken cancellation = default) =>
        throw new NotSupportedException("the sweep starts no orchestrations");

    public Task<OrchestrationOutcome<T>> WaitForOutcomeAsync<T>(string instanceId, TimeSpan pollInterval, CancellationToken cancellation = default) =>
        throw new NotSupportedException("the sweep starts no orchestrations");

    public IAsyncEnumerable<(string InstanceId, T? Output)> CompletedOrchestrationsAsync<T>(string instanceIdPrefix, CancellationToken cancellation = default) =>
        throw new NotSupportedException("the sweep starts no orchestrations");
}
