namespace AzNf.Orchestrations.Chains;

/// <summary>
/// Where activities get the compiled chain for the rules a unit of work names. Compiling is
/// costly (rule parsing, automata), so an implementation caches by version; a rule or blocklist
/// update reaches running chains as soon as a unit names the new version.
/// </summary>
public interface IChainSource
{
    /// <summary>
    /// The chain <paramref name="chainName"/> built from RuleSet version <paramref name="ruleSetVersion"/>
    /// (or newer) with blocklist version <paramref name="blocklistVersion"/> (or newer) applied.
    /// </summary>
    ValueTask<CompiledChain> GetChainAsync(string chainName, long ruleSetVersion, long blocklistVersion, CancellationToken cancellation);
}
