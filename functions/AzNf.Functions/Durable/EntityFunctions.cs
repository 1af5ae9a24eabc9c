using AzNf.Orchestrations.Entities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AzNf.Functions.Durable;

/// <summary>The durable path's entities as functions, each dispatched to the class the durable runtime runs.</summary>
public static class EntityFunctions
{
    [Function(FlowEntity.Name)]
    public static Task Flow([EntityTrigger] TaskEntityDispatcher dispatcher) => Checked(dispatcher).DispatchAsync<FlowEntity>();

    /// <remarks>The client binding is there to reach the instance's <see cref="DurableClientSlot"/>: the chain source reads rule sets through it.</remarks>
    [Function(FlowShardEntity.Name)]
    public static Task Flows([EntityTrigger] TaskEntityDispatcher dispatcher, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.InstanceServices.GetRequiredService<DurableClientSlot>().Offer(client);
        return Checked(dispatcher).DispatchAsync<FlowShardEntity>();
    }

    [Function(SourceShardEntity.Name)]
    public static Task Sources([EntityTrigger] TaskEntityDispatcher dispatcher) => Checked(dispatcher).DispatchAsync<SourceShardEntity>();

    [Function(SourceEntity.Name)]
    public static Task Source([EntityTrigger] TaskEntityDispatcher dispatcher) => Checked(dispatcher).DispatchAsync<SourceEntity>();

    [Function(BlocklistEntity.Name)]
    public static Task Blocklist([EntityTrigger] TaskEntityDispatcher dispatcher) => Checked(dispatcher).DispatchAsync<BlocklistEntity>();

    [Function(GlobalCountersEntity.Name)]
    public static Task Counters([EntityTrigger] TaskEntityDispatcher dispatcher) => Checked(dispatcher).DispatchAsync<GlobalCountersEntity>();

    [Function(RuleSetEntity.Name)]
    public static Task RuleSet([EntityTrigger] TaskEntityDispatcher dispatcher) => Checked(dispatcher).DispatchAsync<RuleSetEntity>();

    [Function(ChainSwitchEntity.Name)]
    public static Task ChainSwitch([EntityTrigger] TaskEntityDispatcher dispatcher) => Checked(dispatcher).DispatchAsync<ChainSwitchEntity>();

    private static TaskEntityDispatcher Checked(TaskEntityDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        return dispatcher;
    }
}
