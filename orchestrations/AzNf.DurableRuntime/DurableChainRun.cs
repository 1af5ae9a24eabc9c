using System.Globalization;
using AzNf.Ingest.Consumer;
using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Capture;
using Azure.Messaging.EventHubs.Processor;
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

    /// <summary>Called after each partition batch is stored and checkpointed, with the partition and the batch's last sequence number.</summary>
    public Action<int, long>? Checkpointed { get; init; }

    /// <summary>Called once the task hub runs, with the counter of its storage requests (for live metrics).</summary>
    public Action<StorageRequestCounter>? StorageCounting { get; init; }
}

/// <summary>The task hub holds a run that this one cannot resume (another capture, or cut another way).</summary>
public sealed class RunResumeException(string message) : Exception(message);

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
    BatchCounters Batches,
    IReadOnlyDictionary<int, long> ResumedAfter,
    long ResumedPackets);

/// <summary>
/// <c>aznf run --runtime durable</c>: the capture through the local partitioned log into the
/// durable path — NfChain orchestrations and flow entities on the Azure Storage backend — and a
/// report built from the units' results and the flow entities' final state.
/// </summary>
public static class DurableChainRun
{
    /// <summary>The table partition checkpoints go to: the Functions app's default, in the task hub's account.</summary>
    public const string CheckpointTable = "aznfcheckpoints";

    /// <summary>The namespace a local run's checkpoints are filed under (its event hub is the task hub, its consumer group the chain).</summary>
    public const string LocalNamespace = "local.aznf";

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
                services.AddSingleton(options.FlowShards.Validate());
                services.AddSingleton(new FlowShardMapCache(options.FlowShards.CachedFlows));
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
        var chain = AzNf.Orchestrations.Chains.ChainCompiler.RequireDurable(ChainDefinition.Load(request.ChainFile), request.ChainFile);
        var options = request.Chain with { KeepLedger = true, PartitionCount = request.Chain.PartitionCount ?? request.Partitions };
        DurableChainHandler.RequireSupported(chain, options, options.Granularity ?? chain.Granularity, options.Mode ?? chain.Mode);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await using var host = await StartHostAsync(request.Runtime, request.LoggerFactory, tasks: request.Tasks);
        request.StorageCounting?.Invoke(host.StorageRequests);
        await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(request.ChainFile), cancellation);

        var handler = new DurableChainHandler(host, chain, options);
        var resumeAfter = await StartOrResumeAsync(host, chain, handler, request, capture, cancellation);
        var checkpoints = new TableCheckpointStore(host.Table(CheckpointTable));
        string hub = request.Runtime.TaskHubName;
        string worker = request.Runtime.WorkerId ?? Environment.MachineName;
        // Batches are pooled per partition; with large batches a short queue bounds memory.
        var log = new LocalPartitionedLog(request.Partitions, request.BatchPackets, queueDepth: request.BatchPackets >= 4096 ? 2 : 8, batchBytes: request.BatchBytes)
        {
            ResumeAfter = Enumerable.Range(0, request.Partitions).Select(p => resumeAfter.GetValueOrDefault(p, -1)).ToArray(),
            // The handler returned, so the batch's effects and its ledger record are stored: only now may a restart skip it.
            // The local log has no offsets apart from sequence numbers; the offset is the number.
            Checkpointed = async (partition, sequence, token) =>
            {
                await checkpoints.UpdateCheckpointAsync(LocalNamespace, hub, chain.Name, partition.ToString(CultureInfo.InvariantCulture), worker, new CheckpointPosition(sequence.ToString(CultureInfo.InvariantCulture), sequence), token);
                request.Checkpointed?.Invoke(partition, sequence);
            },
        };
        var feed = System.Diagnostics.Stopwatch.StartNew();
        // A stop request ends the reading; the batches already read are run and stored, so a rerun resumes after them.
        await Task.Run(() => log.Feed(capture, handler, progress, stopReading: cancellation), CancellationToken.None);
        // Stopped early: what was read is handled and checkpointed; the run is not complete, so no report.
        cancellation.ThrowIfCancellationRequested();
        feed.Stop();
        var report = await TaskHubChains.ReportAsync(host, chain, handler, request.Partitions, capture.Name, request.SettleTimeout, cancellation, capture.ReportCounts());
        // From the host's start: task hub creation, rule publishing and the final read are costs of the run too.
        var storage = host.StorageRequests.Snapshot();
        return new DurableRunResult(report, handler.Granularity, handler.Mode, handler.Timings, handler.Failures, handler.Duplicates, started.Elapsed, storage, feed.Elapsed, handler.Batches, resumeAfter, log.Resumed);
    }

    /// <summary>
    /// A new run records what it feeds and how it cuts it; a run on a task hub that already holds
    /// the same run resumes after that run's checkpoints. Anything else on the hub is refused: its
    /// sequence numbers, shards and batch ids would not line up with this run's.
    /// </summary>
    private static async Task<IReadOnlyDictionary<int, long>> StartOrResumeAsync(DurableRuntimeHost host, ChainDefinition chain, DurableChainHandler handler, DurableRunRequest request, CaptureReader capture, CancellationToken cancellation)
    {
        var ledger = new RunLedger(host.Packets, chain.Name);
        string identity = string.Create(
            CultureInfo.InvariantCulture,
            $"capture {Path.GetFileName(capture.Name)} ({capture.Length?.ToString(CultureInfo.InvariantCulture) ?? "?"} bytes), {request.Partitions} partitions, {ChainQosNames.Name(handler.Granularity)} units of up to {request.BatchPackets} packets / {request.BatchBytes} bytes, {request.Chain.FlowShards} flow shards");
        var checkpoints = new TableCheckpointStore(host.Table(CheckpointTable));
        await checkpoints.CreateIfNotExistsAsync(cancellation);
        if (await ledger.ReadIdentityAsync(cancellation) is not { } earlier)
        {
            await ledger.WriteIdentityAsync(identity, cancellation);
            return new Dictionary<int, long>();
        }
        if (earlier != identity)
        {
            throw new RunResumeException($"task hub {request.Runtime.TaskHubName} holds a run of chain {chain.Name} over {earlier}; this run is {identity}: resume that run as it was started, or use another task hub");
        }
        var stored = await checkpoints.ListSequenceNumbersAsync(LocalNamespace, request.Runtime.TaskHubName, chain.Name, cancellation);
        return stored.ToDictionary(c => int.Parse(c.Key, CultureInfo.InvariantCulture), c => c.Value);
    }
}
