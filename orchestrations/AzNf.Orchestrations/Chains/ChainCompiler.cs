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
        return ChainDefinition.Parse(text.ChainJson, text.ChainFileName, RuleSource.Texts(text.RuleFiles), blocklist);
    }
}
