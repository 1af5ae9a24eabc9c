using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Hub;

namespace AzNf.DurableRuntime.Tests;

/// <summary>
/// The hub as a worker killed between a shard's reply and its commit leaves it: the first
/// orchestration of the given name completes with the output its shards' replies gave, while none
/// of them stored anything — the orchestration is held back here, for the test to start later as
/// the redelivered requests. Everything else goes to the real hub.
/// </summary>
/// <param name="inner">The real hub.</param>
/// <param name="orchestration">The orchestration to hold (NfBatch, NfCommit).</param>
/// <param name="replied">The output the held orchestration's caller gets, from its input.</param>
internal sealed class ReplyBeforeCommitHub(IChainTaskHub inner, string orchestration, Func<object, object> replied) : IChainTaskHub
{
    public string? HeldInstanceId { get; private set; }

    public object? HeldInput { get; private set; }

    public IPacketBatchStore Packets => inner.Packets;

    public Task<bool> StartOrchestrationAsync(string name, string instanceId, object input, CancellationToken cancellation = default)
    {
        if (HeldInstanceId is null && name == orchestration)
        {
            (HeldInstanceId, HeldInput) = (instanceId, input);
            return Task.FromResult(true);
        }
        return inner.StartOrchestrationAsync(name, instanceId, input, cancellation);
    }

    public Task<OrchestrationOutcome<T>> WaitForOutcomeAsync<T>(string instanceId, TimeSpan pollInterval, CancellationToken cancellation = default) =>
        instanceId == HeldInstanceId && HeldInput is { } input
            ? Task.FromResult(new OrchestrationOutcome<T>(OrchestrationOutcome<T>.CompletedStatus, (T)replied(input), null))
            : inner.WaitForOutcomeAsync<T>(instanceId, pollInterval, cancellation);

    public Task PurgeAsync(string instanceId, CancellationToken cancellation = default) => inner.PurgeAsync(instanceId, cancellation);

    public Task SignalEntityAsync(string entityName, string key, string operation, object? input = null, CancellationToken cancellation = default) =>
        inner.SignalEntityAsync(entityName, key, operation, input, cancellation);

    public Task<T?> GetEntityStateAsync<T>(string entityName, string key, CancellationToken cancellation = default) => inner.GetEntityStateAsync<T>(entityName, key, cancellation);

    public IAsyncEnumerable<(string InstanceId, T? Output)> CompletedOrchestrationsAsync<T>(string instanceIdPrefix, CancellationToken cancellation = default) =>
        inner.CompletedOrchestrationsAsync<T>(instanceIdPrefix, cancellation);

    public IAsyncEnumerable<(string Key, T State)> QueryEntitiesAsync<T>(string entityName, CancellationToken cancellation = default) => inner.QueryEntitiesAsync<T>(entityName, cancellation);
}
