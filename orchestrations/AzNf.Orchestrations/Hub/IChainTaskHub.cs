using AzNf.Orchestrations.Batches;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// What the durable path needs from a task hub, seen from outside an orchestration: start a unit,
/// wait for its outcome, and signal, read and list entities. The durable runtime implements it
/// over DurableTask.Core's client; the Functions app over the SDK's <c>DurableTaskClient</c>.
/// </summary>
/// <remarks>
/// Entity names are the registered names (<c>flow</c>, <c>ruleset</c>…); implementations match
/// them case-insensitively, as the SDK does.
/// </remarks>
public interface IChainTaskHub
{
    /// <summary>
    /// Starts <paramref name="name"/> as <paramref name="instanceId"/> unless an instance with that
    /// id is already pending, running or completed (ids are deterministic, so a unit redelivered
    /// after a crash finds the instance it started the first time).
    /// </summary>
    /// <returns>True if this call created the instance.</returns>
    Task<bool> StartOrchestrationAsync(string name, string instanceId, object input, CancellationToken cancellation = default);

    /// <summary>Waits until the instance reaches a final state, reading it at most every <paramref name="pollInterval"/>.</summary>
    Task<OrchestrationOutcome<T>> WaitForOutcomeAsync<T>(string instanceId, TimeSpan pollInterval, CancellationToken cancellation = default);

    /// <summary>Where batch units claim-check their packets: blob storage beside the task hub.</summary>
    IPacketBatchStore Packets { get; }

    /// <summary>Deletes a finished instance's history and state (a consumed batch); a missing instance is not an error.</summary>
    Task PurgeAsync(string instanceId, CancellationToken cancellation = default);

    /// <summary>Sends <paramref name="operation"/> to an entity without waiting for it to run.</summary>
    Task SignalEntityAsync(string entityName, string key, string operation, object? input = null, CancellationToken cancellation = default);

    /// <summary>An entity's current state, or default when it has none.</summary>
    Task<T?> GetEntityStateAsync<T>(string entityName, string key, CancellationToken cancellation = default);

    /// <summary>Every completed orchestration whose id starts with <paramref name="instanceIdPrefix"/>, with its output.</summary>
    IAsyncEnumerable<(string InstanceId, T? Output)> CompletedOrchestrationsAsync<T>(string instanceIdPrefix, CancellationToken cancellation = default);

    /// <summary>Every entity named <paramref name="entityName"/> that has state, with that state.</summary>
    IAsyncEnumerable<(string Key, T State)> QueryEntitiesAsync<T>(string entityName, CancellationToken cancellation = default);
}
