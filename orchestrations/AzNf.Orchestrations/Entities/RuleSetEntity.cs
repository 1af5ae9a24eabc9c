using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using Microsoft.DurableTask.Entities;

namespace AzNf.Orchestrations.Entities;

/// <summary>
/// The <c>ruleset</c> entity, one per chain name: the chain file and its rule files as text,
/// versioned. <c>Replace</c> loads the new text first and refuses it with the loader's error
/// (the operation fails, the state stays), so a bad rule never reaches a running chain.
/// Operations: <c>Replace</c>, <c>Get</c>.
/// </summary>
public sealed class RuleSetEntity : TaskEntity<RuleSetState>
{
    public const string Name = "ruleset";

    public RuleSetState Get() => State;

    /// <summary>Validates and stores <paramref name="text"/>; returns the new version.</summary>
    /// <exception cref="AzNf.NetworkFunctions.Chain.ConfigException">The chain or a rule file cannot be loaded.</exception>
    public long Replace(RuleSetText text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ChainCompiler.Compile(text, []);
        State.Text = text;
        return ++State.Version;
    }
}
