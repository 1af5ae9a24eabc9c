using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Partitions;
using AzNf.Orchestrations;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
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

    /// <summary>Frame bytes at which a partition batch is cut before it has <see cref="BatchPackets"/> packets.</summary>
    public int BatchBytes { get; init; } = 8 * 1024 * 1024;

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
    TimeSpan Elapsed,
    StorageRequestCount Storage,
    TimeSpan FeedElapsed,
    BatchCounters Batches);

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
        await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(request.ChainFile), cancellation);

        var handler = new DurableChainHandler(host, chain, request.Chain);
        // Batches are pooled per partition; with large batches a short queue bounds memory.
        var log = new LocalPartitionedLog(request.Partitions, request.BatchPackets, queueDepth: request.BatchPackets >= 4096 ? 2 : 8, batchBytes: request.BatchBytes);
        var feed = System.Diagnostics.Stopwatch.StartNew();
        await Task.Run(() => log.Feed(capture, handler, progress, cancellation), cancellation);
        feed.Stop();
        var report = await TaskHubChains.ReportAsync(host, chain, handler, request.Partitions, capture.Name, request.SettleTimeout, cancellation, capture.Warnings.Counts);
        // From the host's start: task hub creation, rule publishing and the final read are costs of the run too.
        var storage = host.StorageRequests.Snapshot();
        return new DurableRunResult(report, handler.Granularity, handler.Mode, handler.Timings, handler.Failures, handler.Duplicates, started.Elapsed, storage, feed.Elapsed, handler.Batches);
    }
}
