using AzNf.NetworkFunctions.Chain;

namespace AzNf.Orchestrations.Chains;

/// <summary>A loaded chain and the policy versions it was built from.</summary>
public sealed record CompiledChain(ChainDefinition Chain, long RuleSetVersion, long BlocklistVersion)
{
    /// <summary>
    /// The identity of the rules a flow snapshot was made under: equal stamps mean the same rules,
    /// so cached rule decisions in the snapshot stay valid (only compared for equality).
    /// </summary>
    public long RulesStamp => (RuleSetVersion << 32) ^ BlocklistVersion;
}
