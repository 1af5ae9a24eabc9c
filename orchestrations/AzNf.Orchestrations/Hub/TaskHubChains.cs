using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;

namespace AzNf.Orchestrations.Hub;

/// <summary>Chain-level operations over any task hub: publishing a chain's rules and reporting what a handler ran.</summary>
public static class TaskHubChains
{
    /// <summary>The report of what <paramref name="handler"/> ran, with the flows its entities still hold.</summary>
    public static async Task<RunReport> ReportAsync(
        IChainTaskHub hub,
        ChainDefinition chain,
        DurableChainHandler handler,
        int partitions,
        string captureName,
        TimeSpan settleTimeout,
        CancellationToken cancellation,
        IReadOnlyDictionary<string, long>? captureWarnings = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(handler);
        var endFlows = handler.Granularity == ChainGranularity.Batch
            ? await ReadShardFlowsAsync(hub, chain.Name, handler, settleTimeout, cancellation)
            : await ReadFlowsAsync(hub, handler, settleTimeout, cancellation);
        if (handler.Options.UnitCompleted is { } completed)
        {
            await completed(new ChainTally { Flows = endFlows }, null);
        }
        var tallies = await handler.ReadTalliesAsync(cancellation);
        var tally = ChainTally.Sum(tallies.Append(new ChainTally { Flows = endFlows }), chain.Stages.Count);
        return RunReport.From(chain, tally, partitions, captureName, captureWarnings ?? new Dictionary<string, long>());
    }

    /// <summary>
    /// One flow's state as its holder keeps it: at batch granularity the flow shard its key hashes
    /// to (of <paramref name="flowShards"/>), else its own <c>flow</c> entity. Null: unknown flow.
    /// </summary>
    public static async Task<FlowEntityState?> ReadFlowAsync(IChainTaskHub hub, ChainDefinition chain, ChainGranularity granularity, int flowShards, string flowKey, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(chain);
        if (granularity != ChainGranularity.Batch)
        {
            return await hub.GetEntityStateAsync<FlowEntityState>(FlowEntity.Name, flowKey, cancellation);
        }
        string shard = FlowShards.EntityKey(chain.Name, FlowShards.ShardOf(flowKey, flowShards));
        var state = await hub.GetEntityStateAsync<FlowShardState>(FlowShardEntity.Name, shard, cancellation);
        var flows = await FlowShardEntity.FlowsAsync(state, shard, hub.Packets, cancellation);
        return flows.Where(f => f.Key == flowKey).Select(f => f.State).FirstOrDefault();
    }

    /// <summary>
    /// Puts the chain's rules into its RuleSet entity (unless it already holds the same text) and
    /// waits until the entity has them, so the first unit's chain source finds them.
    /// </summary>
    public static async Task<long> PublishRulesAsync(IChainTaskHub hub, string chainName, RuleSetText text, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(text);
        var current = await hub.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, chainName, cancellation);
        if (current?.Text is { } held && SameText(held, text))
        {
            return current.Version;
        }
        long before = current?.Version ?? 0;
        await hub.SignalEntityAsync(RuleSetEntity.Name, chainName, nameof(RuleSetEntity.Replace), text, cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        while (true)
        {
            var state = await hub.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, chainName, timeout.Token);
            if (state is not null && state.Version > before)
            {
                return state.Version;
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    private static bool SameText(RuleSetText a, RuleSetText b) =>
        a.ChainJson == b.ChainJson && a.RuleFiles.Count == b.RuleFiles.Count
        && a.RuleFiles.All(f => b.RuleFiles.TryGetValue(f.Key, out var other) && other == f.Value);

    /// <summary>
    /// Batch granularity: the flows still live at the end, from the chain's flow shards, once every
    /// shard shows the last batch the handler saw it complete (the backend sends an entity's reply
    /// before it writes the entity's instance row, so a query can lag a completed batch briefly).
    /// </summary>
    private static async Task<List<ReportFlow>> ReadShardFlowsAsync(IChainTaskHub hub, string chainName, DurableChainHandler handler, TimeSpan settleTimeout, CancellationToken cancellation)
    {
        var expected = handler.ExpectedShardBatches;
        var deadline = DateTime.UtcNow + settleTimeout;
        string prefix = chainName + ":";
        while (true)
        {
            var flows = new List<ReportFlow>();
            var seen = new Dictionary<int, FlowShardState>();
            await foreach (var (key, state) in hub.QueryEntitiesAsync<FlowShardState>(FlowShardEntity.Name, cancellation))
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(key.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out int shard))
                {
                    seen[shard] = state;
                }
            }
            var behind = expected.Where(e => !seen.TryGetValue(e.Key.Shard, out var state) || state.Batches.GetValueOrDefault(e.Key.Partition, -1) < e.Value).Select(e => e.Key).ToList();
            if (behind.Count == 0)
            {
                foreach (var (shard, state) in seen.OrderBy(s => s.Key))
                {
                    foreach (var (key, flow) in await FlowShardEntity.FlowsAsync(state, FlowShards.EntityKey(chainName, shard), hub.Packets, cancellation))
                    {
                        if (flow.Snapshot is { } snapshot && !UnitKeys.IsUnparsed(key) && !UnitKeys.IsSlice(key))
                        {
                            flows.Add(WorkResultTally.EndOfRun(key, snapshot, flow.Alias));
                        }
                    }
                }
                return flows;
            }
            if (DateTime.UtcNow > deadline)
            {
                var first = behind[0];
                string shows = seen.TryGetValue(first.Shard, out var late) ? $"shows batch {late.Batches.GetValueOrDefault(first.Partition, -1)} after {late.Steps} steps" : "has no state";
                throw new TimeoutException($"{behind.Count} flow shards did not show their last batch within {settleTimeout}, e.g. shard {first.Shard} partition {first.Partition}: it {shows}, a batch result said it finished batch {expected[first]}");
            }
            await Task.Delay(200, cancellation);
        }
    }

    /// <summary>
    /// The flows still live at the end, from their entities. NfChain calls Apply, so a completed
    /// unit's state is stored; the entity query may still show an older version for a moment, so
    /// this waits (up to the settle timeout, then fails naming a flow) until every flow entity
    /// holds at least the version of the last unit the handler ran on it.
    /// </summary>
    private static async Task<List<ReportFlow>> ReadFlowsAsync(IChainTaskHub hub, DurableChainHandler handler, TimeSpan settleTimeout, CancellationToken cancellation)
    {
        var expected = handler.ExpectedFlowVersions;
        var deadline = DateTime.UtcNow + settleTimeout;
        while (true)
        {
            var flows = new List<ReportFlow>();
            var behind = new List<string>();
            var seen = new Dictionary<string, long>(StringComparer.Ordinal);
            await foreach (var (key, state) in hub.QueryEntitiesAsync<FlowEntityState>(FlowEntity.Name, cancellation))
            {
                seen[key] = state.Version;
                if (state.Snapshot is { } snapshot)
                {
                    flows.Add(WorkResultTally.EndOfRun(key, snapshot));
                }
            }
            foreach (var (key, version) in expected)
            {
                if (seen.GetValueOrDefault(key, -1) < version)
                {
                    behind.Add(key);
                }
            }
            if (behind.Count == 0)
            {
                return flows;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{behind.Count} flow entities did not take their last update within {settleTimeout}, e.g. {behind[0]}");
            }
            await Task.Delay(200, cancellation);
        }
    }
}
