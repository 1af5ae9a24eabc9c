using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;

namespace AzNf.DurableRuntime;

/// <summary>
/// Reads the RuleSet and Blocklist entities for the chain source, client-side (an activity may
/// not call entities). The host is handed over once it exists, since the host's own services
/// build the activities that use this reader.
/// </summary>
public sealed class EntityPolicyReader : IPolicyReader
{
    private DurableRuntimeHost? _host;

    /// <summary>Connects the reader to the host whose entities it reads.</summary>
    public void Attach(DurableRuntimeHost host) => _host = host;

    public async ValueTask<RuleSetState?> ReadRuleSetAsync(string chainName, CancellationToken cancellation) =>
        await Host.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, chainName, cancellation);

    public async ValueTask<BlocklistState?> ReadBlocklistAsync(CancellationToken cancellation) =>
        await Host.GetEntityStateAsync<BlocklistState>(BlocklistEntity.Name, BlocklistEntity.Key, cancellation);

    private DurableRuntimeHost Host => _host ?? throw new InvalidOperationException("the policy reader is not attached to a durable runtime host yet");
}
