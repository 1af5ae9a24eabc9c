using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Chains;

namespace AzNf.Orchestrations.Tests;

/// <summary>An <see cref="IChainSource"/> that always has one chain, at RuleSet version 1.</summary>
internal sealed class FixedChainSource(ChainDefinition chain) : IChainSource
{
    public ValueTask<CompiledChain> GetChainAsync(string chainName, long ruleSetVersion, long blocklistVersion, CancellationToken cancellation) =>
        ValueTask.FromResult(new CompiledChain(chain, 1, 0));
}
