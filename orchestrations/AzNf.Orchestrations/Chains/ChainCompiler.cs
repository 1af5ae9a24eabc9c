using AzNf.NetworkFunctions;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Chains;

/// <summary>
/// Builds a <see cref="ChainDefinition"/> from a rule set kept as text (rule files by the names
/// the chain gives them, read from memory: nothing is written to disk), with blocked addresses
/// dropped by every firewall stage before its rules (<c>firewall:blocklist</c>).
/// </summary>
public static class ChainCompiler
{
    /// <summary>
    /// Loads <paramref name="text"/>; a chain or rule file that cannot be used throws the loader's
    /// <see cref="ConfigException"/>. Entries of <paramref name="blockedAddresses"/> that are not
    /// addresses are ignored (the blocklist entity refuses them when they are added).
    /// </summary>
    public static ChainDefinition Compile(RuleSetText text, IEnumerable<string> blockedAddresses)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(blockedAddresses);
        var blocklist = new HashSet<NetAddress>();
        foreach (string entry in blockedAddresses)
        {
            if (NetAddress.TryParse(entry, out var address))
            {
                blocklist.Add(address);
            }
        }
        return RequireDurable(ChainDefinition.Parse(text.ChainJson, text.ChainFileName, RuleSource.Texts(text.RuleFiles), blocklist), text.ChainFileName);
    }

    /// <summary>Refuses a chain with a stage the durable path cannot run with the embedded answers (<see cref="INetworkFunctionDefinition.RunsOnDurable"/>).</summary>
    /// <exception cref="ConfigException">Names the first such stage and its type.</exception>
    public static ChainDefinition RequireDurable(ChainDefinition chain, string chainFile)
    {
        ArgumentNullException.ThrowIfNull(chain);
        for (int i = 0; i < chain.Stages.Count; i++)
        {
            var stage = chain.Stages[i];
            if (!stage.RunsOnDurable)
            {
                throw new ConfigException(
                    $"{chainFile}: stages[{i}]",
                    $"stage '{stage.Name}' ({stage.Kind}) keeps per-partition state the durable runtime does not carry between units yet: run this chain on the embedded runtime (docs/{stage.Kind}.md)");
            }
        }
        return chain;
    }
}
