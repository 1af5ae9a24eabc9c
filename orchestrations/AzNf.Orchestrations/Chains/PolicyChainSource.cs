using System.Collections.Concurrent;
using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Chains;

/// <summary>
/// The default <see cref="IChainSource"/>: one compiled chain per chain name, rebuilt from the
/// RuleSet and Blocklist entities (read through <see cref="IPolicyReader"/>) when a unit names a
/// newer version than the one built. Versions only move forward: a unit naming an older version
/// gets the newest chain built.
/// </summary>
public sealed class PolicyChainSource(IPolicyReader reader) : IChainSource
{
    private readonly ConcurrentDictionary<string, CompiledChain> _chains = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _building = new(1, 1);

    public async ValueTask<CompiledChain> GetChainAsync(string chainName, long ruleSetVersion, long blocklistVersion, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(chainName);
        if (IsCurrent(chainName, ruleSetVersion, blocklistVersion, out var cached))
        {
            return cached;
        }
        await _building.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (IsCurrent(chainName, ruleSetVersion, blocklistVersion, out cached))
            {
                return cached;
            }
            var rules = await reader.ReadRuleSetAsync(chainName, cancellation).ConfigureAwait(false);
            if (rules?.Text is null || rules.Version == 0)
            {
                throw new InvalidOperationException($"chain '{chainName}' has no rule set: signal its ruleset entity's Replace first");
            }
            var blocklist = await reader.ReadBlocklistAsync(cancellation).ConfigureAwait(false);
            var chain = ChainCompiler.Compile(rules.Text, blocklist?.Entries.Keys ?? Enumerable.Empty<string>());
            var compiled = new CompiledChain(chain, rules.Version, blocklist?.Version ?? 0);
            _chains[chainName] = compiled;
            return compiled;
        }
        finally
        {
            _building.Release();
        }
    }

    private bool IsCurrent(string chainName, long ruleSetVersion, long blocklistVersion, out CompiledChain compiled) =>
        _chains.TryGetValue(chainName, out compiled!) && compiled.RuleSetVersion >= ruleSetVersion && compiled.BlocklistVersion >= blocklistVersion;
}
