using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Chains;

/// <summary>
/// Reads the current state of the RuleSet and Blocklist entities. The host implements it with
/// its client (DurableTask.Core's entity queries, or the Functions client): an activity may not
/// call entities, and the chain source reads them only when a unit names a version it has not built.
/// </summary>
public interface IPolicyReader
{
    /// <summary>The <c>ruleset</c> entity of <paramref name="chainName"/>; null when it has no state.</summary>
    ValueTask<RuleSetState?> ReadRuleSetAsync(string chainName, CancellationToken cancellation);

    /// <summary>The <c>blocklist</c> entity (key <c>global</c>); null when it has no state.</summary>
    ValueTask<BlocklistState?> ReadBlocklistAsync(CancellationToken cancellation);
}
