using AzNf.Orchestrations.Entities;
using Microsoft.Azure.Functions.Worker;

namespace AzNf.Functions.Durable;

/// <summary>The durable path's entities as functions, each dispatched to the class the durable runtime runs.</summary>
public static class EntityFunctions
{
    [Function(FlowEntity.Name)]
    public static Task Flow([EntityTrigger] TaskEntityDispatcher dispatcher) => Checked(dispatcher).DispatchAsync<FlowEntity>();

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
