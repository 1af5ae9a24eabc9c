using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Orchestrators;
using Microsoft.DurableTask;

namespace AzNf.Orchestrations;

/// <summary>
/// Every orchestrator, activity and entity of the durable path with the name it is registered
/// under, so that each host (the durable runtime's shims, the Functions app) registers them one way.
/// </summary>
/// <remarks>
/// Activities take an <see cref="Chains.IChainSource"/> by constructor injection: a host registers
/// its <see cref="Chains.IPolicyReader"/> and <see cref="Chains.PolicyChainSource"/> (as the
/// <see cref="Chains.IChainSource"/>) as singletons. Entities and the orchestrator have public
/// parameterless constructors, but for the <c>flows</c> entity, which runs NF steps and takes the
/// <see cref="Chains.IChainSource"/> and an <see cref="Batches.IPacketBatchStore"/>.
/// </remarks>
public static class NfTasks
{
    public static IReadOnlyList<NfTask> Orchestrators { get; } =
    [
        new(NfChainOrchestrator.Name, typeof(NfChainOrchestrator)),
        new(NfBatchOrchestrator.Name, typeof(NfBatchOrchestrator)),
        new(FlowCommitOrchestrator.Name, typeof(FlowCommitOrchestrator)),
    ];

    public static IReadOnlyList<NfTask> Activities { get; } =
    [
        new(RunChainActivity.Name, typeof(RunChainActivity)),
        new(RunStageActivity.Name, typeof(RunStageActivity)),
    ];

    public static IReadOnlyList<NfTask> Entities { get; } =
    [
        new(FlowEntity.Name, typeof(FlowEntity)),
        new(FlowShardEntity.Name, typeof(FlowShardEntity)),
        new(SourceShardEntity.Name, typeof(SourceShardEntity)),
        new(SourceEntity.Name, typeof(SourceEntity)),
        new(BlocklistEntity.Name, typeof(BlocklistEntity)),
        new(GlobalCountersEntity.Name, typeof(GlobalCountersEntity)),
        new(RuleSetEntity.Name, typeof(RuleSetEntity)),
        new(ChainSwitchEntity.Name, typeof(ChainSwitchEntity)),
    ];

    /// <summary>Registers everything above by type (the worker builds each through DI).</summary>
    public static DurableTaskRegistry AddNfTasks(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var task in Orchestrators)
        {
            registry.AddOrchestrator(task.Name, task.Type);
        }
        foreach (var task in Activities)
        {
            registry.AddActivity(task.Name, task.Type);
        }
        foreach (var task in Entities)
        {
            registry.AddEntity(task.Name, task.Type);
        }
        return registry;
    }
}
