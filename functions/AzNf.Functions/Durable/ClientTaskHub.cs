using System.Runtime.CompilerServices;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Hub;
using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;

namespace AzNf.Functions.Durable;

/// <summary>The task hub operations of the durable path over the isolated worker's <see cref="DurableTaskClient"/>.</summary>
public sealed class ClientTaskHub(DurableClientSlot slot, IPacketBatchStore packets) : IChainTaskHub
{
    private static readonly IReadOnlyList<string> RunningOrDone =
        [nameof(OrchestrationRuntimeStatus.Pending), nameof(OrchestrationRuntimeStatus.Running), nameof(OrchestrationRuntimeStatus.Completed)];

    /// <inheritdoc/>
    public IPacketBatchStore Packets => packets;

    /// <summary>True once a bound function has handed this instance a client.</summary>
    public bool Ready => slot.Current is not null;

    public async Task<bool> StartOrchestrationAsync(string name, string instanceId, object input, CancellationToken cancellation = default)
    {
        try
        {
            await Client.ScheduleNewOrchestrationInstanceAsync(new TaskName(name), input, new StartOrchestrationOptions(instanceId) { DedupeStatuses = RunningOrDone }, cancellation);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            // The id is deterministic: this unit was started before (a redelivery), so wait for that instance.
            return false;
        }
    }

    public async Task<OrchestrationOutcome<T>> WaitForOutcomeAsync<T>(string instanceId, TimeSpan pollInterval, CancellationToken cancellation = default)
    {
        // The gRPC client long-polls the host, so the poll interval has nothing to do here.
        var metadata = await Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, cancellation);
        return metadata.RuntimeStatus == OrchestrationRuntimeStatus.Completed
            ? new OrchestrationOutcome<T>(OrchestrationOutcome<T>.CompletedStatus, metadata.ReadOutputAs<T>(), null)
            : new OrchestrationOutcome<T>(metadata.RuntimeStatus.ToString(), default, metadata.FailureDetails?.ErrorMessage ?? metadata.SerializedOutput);
    }

    public async Task PurgeAsync(string instanceId, CancellationToken cancellation = default) =>
        await Client.PurgeInstanceAsync(instanceId, cancellation);

    public async IAsyncEnumerable<(string InstanceId, T? Output)> CompletedOrchestrationsAsync<T>(string instanceIdPrefix, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var query = new OrchestrationQuery { InstanceIdPrefix = instanceIdPrefix, Statuses = [OrchestrationRuntimeStatus.Completed], FetchInputsAndOutputs = true, PageSize = 100 };
        await foreach (var metadata in Client.GetAllInstancesAsync(query).WithCancellation(cancellation))
        {
            yield return (metadata.InstanceId, metadata.ReadOutputAs<T>());
        }
    }

    public Task SignalEntityAsync(string entityName, string key, string operation, object? input = null, CancellationToken cancellation = default) =>
        Client.Entities.SignalEntityAsync(new EntityInstanceId(entityName, key), operation, input, options: null, cancellation);

    public async Task<T?> GetEntityStateAsync<T>(string entityName, string key, CancellationToken cancellation = default)
    {
        var metadata = await Client.Entities.GetEntityAsync<T>(new EntityInstanceId(entityName, key), cancellation);
        return metadata is null ? default : metadata.State;
    }

    public async IAsyncEnumerable<(string Key, T State)> QueryEntitiesAsync<T>(string entityName, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var query = new EntityQuery { InstanceIdStartsWith = $"@{entityName.ToLowerInvariant()}@", IncludeState = true, PageSize = 500 };
        await foreach (var entity in Client.Entities.GetAllEntitiesAsync<T>(query).WithCancellation(cancellation))
        {
            if (entity.IncludesState)
            {
                yield return (entity.Id.Key, entity.State);
            }
        }
    }

    private DurableTaskClient Client => slot.Current
        ?? throw new DurableClientUnavailableException("no durable client has reached this worker instance yet: it arrives with the first call to the HTTP API, the sweep or a chain activity here");
}
