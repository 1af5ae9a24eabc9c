using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace AzNf.Functions.Durable;

/// <summary>
/// The NfChain and NfBatch orchestrators and NfChain's activities as functions. Each delegates to the class the
/// durable runtime runs (the Durable source generator is not available here, so the wrappers
/// are written out); the names are the classes' own, so both hosts run one task hub the same way.
/// </summary>
public sealed class ChainFunctions(ChainStepRunner runner, DurableClientSlot clients)
{
    [Function(NfChainOrchestrator.Name)]
    public Task<ChainWorkResult> NfChain([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var unit = context.GetInput<ChainWorkUnit>() ?? throw new InvalidOperationException($"{NfChainOrchestrator.Name} {context.InstanceId}: no work unit in the input");
        return new NfChainOrchestrator().RunAsync(context, unit);
    }

    [Function(NfBatchOrchestrator.Name)]
    public Task<ChainBatchResult> NfBatch([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var batch = context.GetInput<ChainBatch>() ?? throw new InvalidOperationException($"{NfBatchOrchestrator.Name} {context.InstanceId}: no batch in the input");
        return new NfBatchOrchestrator().RunAsync(context, batch);
    }

    [Function(FlowCommitOrchestrator.Name)]
    public Task<FlowCommitResult> NfCommit([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var commit = context.GetInput<FlowCommit>() ?? throw new InvalidOperationException($"{FlowCommitOrchestrator.Name} {context.InstanceId}: no commit in the input");
        return new FlowCommitOrchestrator().RunAsync(context, commit);
    }

    /// <remarks>The client binding is there to reach the instance's <see cref="DurableClientSlot"/>: the chain source reads rule sets through it.</remarks>
    [Function(RunChainActivity.Name)]
    public Task<ChainStepOutput> RunChain([ActivityTrigger] ChainStepInput input, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        clients.Offer(client);
        return runner.RunAsync(input, cancellation);
    }

    [Function(RunStageActivity.Name)]
    public Task<ChainStepOutput> RunStage([ActivityTrigger] ChainStepInput input, [DurableClient] DurableTaskClient client, CancellationToken cancellation)
    {
        clients.Offer(client);
        return runner.RunAsync(input, cancellation);
    }
}
