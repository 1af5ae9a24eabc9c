using AzNf.Orchestrations.Models;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AzNf.Orchestrations.Tests.Fakes;

/// <summary>
/// An orchestration context with no backend: activities answer through <see cref="Activity"/>
/// (a task that never completes stands for a step still running at its deadline), every timer
/// fires at once (so a step that has not completed loses its race), entity calls answer through
/// <see cref="EntityCalls"/>, and signals and custom status are recorded.
/// </summary>
internal sealed class FakeOrchestrationContext : TaskOrchestrationContext
{
    private readonly FakeEntityFeature _entities = new();

    public static DateTime Start { get; } = new(2026, 11, 27, 5, 0, 0, DateTimeKind.Utc);

    public Func<string, ChainStepInput, Task<ChainStepOutput>> Activity { get; set; } = (_, _) => throw new InvalidOperationException("no activity expected");

    public List<(string Name, ChainStepInput Input)> ActivityCalls { get; } = [];

    public List<(DateTime FireAt, CancellationToken Cancellation)> Timers { get; } = [];

    public Dictionary<(string Entity, string Operation), object?> EntityCalls => _entities.Answers;

    public List<(EntityInstanceId Id, string Operation, object? Input)> Signals => _entities.Signals;

    /// <summary>Entity calls the orchestrator made, with their inputs.</summary>
    public List<(EntityInstanceId Id, string Operation, object? Input)> Calls => _entities.Calls;

    public object? CustomStatus { get; private set; }

    public override TaskName Name => "NfChain";

    public override string InstanceId => "test-instance";

    public override ParentOrchestrationInstance? Parent => null;

    public override DateTime CurrentUtcDateTime => Start;

    public override bool IsReplaying => false;

    public override TaskOrchestrationEntityFeature Entities => _entities;

    protected override ILoggerFactory LoggerFactory => NullLoggerFactory.Instance;

    public override T GetInput<T>() => throw new NotSupportedException();

    public override Task<TResult> CallActivityAsync<TResult>(TaskName name, object? input = null, TaskOptions? options = null)
    {
        var step = (ChainStepInput)input!;
        ActivityCalls.Add((name.Name, step));
        return Cast<TResult>(Activity(name.Name, step));
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        Timers.Add((fireAt, cancellationToken));
        return Task.CompletedTask;
    }

    public override Task<T> WaitForExternalEvent<T>(string eventName, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public override void SendEvent(string instanceId, string eventName, object payload) => throw new NotSupportedException();

    public override void SetCustomStatus(object? customStatus) => CustomStatus = customStatus;

    public override Task<TResult> CallSubOrchestratorAsync<TResult>(TaskName orchestratorName, object? input = null, TaskOptions? options = null) => throw new NotSupportedException();

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true) => throw new NotSupportedException();

    public override Guid NewGuid() => throw new NotSupportedException();

    private static async Task<TResult> Cast<TResult>(Task<ChainStepOutput> task) => (TResult)(object)await task;

    private sealed class FakeEntityFeature : TaskOrchestrationEntityFeature
    {
        public Dictionary<(string Entity, string Operation), object?> Answers { get; } = [];

        public List<(EntityInstanceId Id, string Operation, object? Input)> Signals { get; } = [];

        public List<(EntityInstanceId Id, string Operation, object? Input)> Calls { get; } = [];

        public override Task<TResult> CallEntityAsync<TResult>(EntityInstanceId id, string operationName, object? input = null, CallEntityOptions? options = null)
        {
            Calls.Add((id, operationName, input));
            if (!Answers.TryGetValue((id.ToString(), operationName), out var answer))
            {
                return Task.FromResult(default(TResult)!);
            }
            return answer is Exception e ? Task.FromException<TResult>(e) : Task.FromResult((TResult)answer!);
        }

        public override Task CallEntityAsync(EntityInstanceId id, string operationName, object? input = null, CallEntityOptions? options = null) =>
            CallEntityAsync<object>(id, operationName, input, options);

        public override Task SignalEntityAsync(EntityInstanceId id, string operationName, object? input = null, SignalEntityOptions? options = null)
        {
            Signals.Add((id, operationName, input));
            return Task.CompletedTask;
        }

        public override Task<IAsyncDisposable> LockEntitiesAsync(IEnumerable<EntityInstanceId> entityIds) => throw new NotSupportedException();

        public override bool InCriticalSection([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyList<EntityInstanceId>? entityIds)
        {
            entityIds = null;
            return false;
        }
    }
}
