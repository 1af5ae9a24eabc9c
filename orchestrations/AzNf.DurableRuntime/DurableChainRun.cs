using AzNf.Orchestrations.Hub;
using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Partitions;
using AzNf.Orchestrations;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Capture;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AzNf.DurableRuntime;

/// <summary>What a durable run needs: the chain file, the task hub and how to cut units.</summary>
public sealed record DurableRunRequest
{
    public required string ChainFile { get; init; }

    public required DurableRuntimeOptions Runtime { get; init; }

    public DurableChainOptions Chain { get; init; } = new();

    public int Partitions { get; init; } = 4;

    public int BatchPackets { get; init; } = 256;

    /// <summary>Longest wait, after the last unit, for the flow entities to take their last update.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>What the worker runs; default <see cref="DurableChainRun.Tasks"/>. Tests swap in a slow stage here.</summary>
    public TaskTypeCatalog? Tasks { get; init; }
}

/// <summary>A durable run's report and what it measured.</summary>
public sealed record DurableRunResult(
    RunReport Report,
    ChainGranularity Granularity,
    ChainMode Mode,
    IReadOnlyCollection<UnitTiming> Timings,
    IReadOnlyCollection<string> Failures,
    long Duplicates,
    TimeSpan Elapsed);

/// <summary>
/// <c>aznf run --runtime durable</c>: the capture through the local partitioned log into the
/// durable path — NfChain orchestrations and flow entities on the Azure Storage backend — and a
/// report built from the units' results and the flow entities' final state.
/// </summary>
public static class DurableChainRun
{
    /// <summary>Every orchestrator, activity and entity of the durable path.</summary>
    public static TaskTypeCatalog Tasks(params IEnumerable<NfTask> replacements)
    {
        var catalog = new TaskTypeCatalog();
        var swapped = replacements.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var task in NfTasks.Orchestrators.Concat(NfTasks.Activities).Concat(NfTasks.Entities))
        {
            catalog.Add(task.Name, swapped.TryGetValue(task.Name, out var replacement) ? replacement.Type : task.Type);
        }
        return catalog;
    }

    /// <summary>Starts a worker (and client) with the durable path's services.</summary>
    public static async Task<DurableRuntimeHost> StartHostAsync(DurableRuntimeOptions options, ILoggerFactory? loggerFactory = null, bool runWorker = true, TaskTypeCatalog? tasks = null)
    {
        var reader = new EntityPolicyReader();
        var host = await DurableRuntimeHost.StartAsync(
            options,
            tasks ?? Tasks(),
            services =>
            {
                services.AddSingleton<IPolicyReader>(reader);
                services.AddSingleton<IChainSource, PolicyChainSource>();
            },
            loggerFactory,
            runWorker);
        reader.Attach(host);
        return host;
    }

    public static async Task<DurableRunResult> RunAsync(DurableRunRequest request, CaptureReader capture, Action<long>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(capture);
        var chain = ChainDefinition.Load(request.ChainFile);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var host = await StartHostAsync(request.Runtime, request.LoggerFactory, tasks: request.Tasks);
        await PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(request.ChainFile), cancellation);

        var handler = new DurableChainHandler(host, chain, request.Chain);
        var log = new LocalPartitionedLog(request.Partitions, request.BatchPackets);
        await Task.Run(() => log.Feed(capture, handler, progress, cancellation), cancellation);
        var report = await ReportAsync(host, chain, handler, request.Partitions, capture.Name, request.SettleTimeout, cancellation, capture.Warnings.Counts);
        return new DurableRunResult(report, handler.Granularity, handler.Mode, handler.Timings, handler.Failures, handler.Duplicates, started.Elapsed);
    }

    /// <summary>The report of what <paramref name="handler"/> ran, with the flows its entities still hold.</summary>
    public static async Task<RunReport> ReportAsync(
        DurableRuntimeHost host,
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
        var endFlows = await ReadFlowsAsync(host, handler, settleTimeout, cancellation);
        var tally = ChainTally.Sum(handler.Tallies.Append(new ChainTally { Flows = endFlows }), chain.Stages.Count);
        return RunReport.From(chain, tally, partitions, captureName, captureWarnings ?? new Dictionary<string, long>());
    }

    /// <summary>
    /// Puts the chain's rules into its RuleSet entity (unless it already holds the same text) and
    /// waits until the entity has them, so the first unit's chain source finds them.
    /// </summary>
    public static async Task<long> PublishRulesAsync(DurableRuntimeHost host, string chainName, RuleSetText text, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(text);
        var current = await host.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, chainName, cancellation);
        if (current?.Text is { } held && SameText(held, text))
        {
            return current.Version;
        }
        long before = current?.Version ?? 0;
        await host.SignalEntityAsync(RuleSetEntity.Name, chainName, nameof(RuleSetEntity.Replace), text);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        while (true)
        {
            var state = await host.GetEntityStateAsync<RuleSetState>(RuleSetEntity.Name, chainName, timeout.Token);
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
    /// The flows still live at the end, from their entities. An orchestration's last Apply is a
    /// signal that lands after the orchestration completes, so this waits until every flow
    /// entity holds at least the version of the last unit the handler ran on it.
    /// </summary>
    private static async Task<List<ReportFlow>> ReadFlowsAsync(DurableRuntimeHost host, DurableChainHandler handler, TimeSpan settleTimeout, CancellationToken cancellation)
    {
        var expected = handler.ExpectedFlowVersions;
        var deadline = DateTime.UtcNow + settleTimeout;
        while (true)
        {
            var flows = new List<ReportFlow>();
            var behind = new List<string>();
            var seen = new Dictionary<string, long>(StringComparer.Ordinal);
            await foreach (var (key, state) in host.QueryEntitiesAsync<FlowEntityState>(FlowEntity.Name, cancellation))
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
