using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// Reads the RuleSet and Blocklist entities for the chain source, client-side (an activity may
/// not call entities). The hub is handed over once it exists, since the host's own services
/// build the activities that use this reader.
/// </summary>
public sealed class EntityPolicyReader : IPolicyReader
{
    private IChainTaskHub? _hub;

    /// <summary>Connects the reader to the task hub whose entities it reads.</summary>
    public void Attach(IChainTaskHub hub) => _hub = hub;

    public async ValueTask<RuleSetState?> ReadRuleSetAsync(string chainName, CancellationToken cancellation) =>
        await Hub.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, chainName, cancellation);

    public async ValueTask<BlocklistState?> ReadBlocklistAsync(CancellationToken cancellation) =>
        await Hub.GetEntityStateAsync<BlocklistState>(BlocklistEntity.Name, BlocklistEntity.Key, cancellation);

    private IChainTaskHub Hub => _hub ?? throw new InvalidOperationException("the policy reader is not attached to a task hub yet");
}
