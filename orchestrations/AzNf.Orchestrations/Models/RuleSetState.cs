namespace AzNf.Orchestrations.Models;

/// <summary>The <c>ruleset</c> entity's state (one per chain name): the chain file and its rule files as text, versioned.</summary>
public sealed class RuleSetState
{
    /// <summary>Bumped by every accepted Replace; 0 = no rules yet.</summary>
    public long Version { get; set; }

    public RuleSetText? Text { get; set; }
}
