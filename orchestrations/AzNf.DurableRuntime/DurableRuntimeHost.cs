using System.Collections.Concurrent;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Hub;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Entities;
using DurableTask.Core.Middleware;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AzNf.DurableRuntime;

/// <summary>
/// The durable runtime without a Functions host: DurableTask.Core's worker and client over the
/// Azure Storage backend (what Durable Functions runs on by default), running the project's
/// Microsoft.DurableTask orchestrators, activities and entities through the public shims.
/// </summary>
public sealed class DurableRuntimeHost : IChainTaskHub, IAsyncDisposable
{
    private static readonly OrchestrationStatus[] RunningOrDone =
        [OrchestrationStatus.Pending, OrchestrationStatus.Running, OrchestrationStatus.Completed, OrchestrationStatus.ContinuedAsNew];

    private readonly AzureStorageOrchestrationService _service;
    private readonly TaskHubWorker? _worker;
    private readonly ServiceProvider _services;
    private readonly DataConverter _converter;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _finished = new(StringComparer.Ordinal);
    private int _stopped;
    private long _completionsSeen;

    private DurableRuntimeHost(AzureStorageOrchestrationService service, TaskHubWorker? worker, ServiceProvider services, DataConverter converter, DurableRuntimeOptions options, StorageRequestCounter requests, IPacketBatchStore packets)
    {
        StorageRequests = requests;
        Packets = packets;
        _service = service;
        _worker = worker;
        _services = services;
        _converter = converter;
        Options = options;
        Client = new TaskHubClient(service, new SdkDataConverter(converter), services.GetRequiredService<ILoggerFactory>());
        Entities = ((IEntityOrchestrationService)service).EntityBackendQueries ?? throw new InvalidOperationException("the Azure Storage backend did not offer entity queries");
    }

    public DurableRuntimeOptions Options { get; }

    /// <summary>Every storage request of this host (task hub and packet store), and the bytes moved.</summary>
    public StorageRequestCounter StorageRequests { get; }

    /// <inheritdoc/>
    public IPacketBatchStore Packets { get; }

    /// <summary>Core's client, with the SDK's JSON converter so inputs and outputs read the same on both sides.</summary>
    public TaskHubClient Client { get; }

    /// <summary>Entity state reads and queries, straight from the backend.</summary>
    public EntityBackendQueries Entities { get; }

    /// <summary>Orchestrations this process's worker saw finish (each wakes its waiter at once instead of at the next poll).</summary>
    public long CompletionsSeenInProcess => Interlocked.Read(ref _completionsSeen);

    /// <summary>A client of table <paramref name="name"/> in the task hub's storage account, counted with the host's requests.</summary>
    public TableClient Table(string name) =>
        new(Options.StorageConnectionString, name, WithPolicies(new TableClientOptions(), StorageService.Table, StorageRequests, Options));

    /// <summary>The services activities and entities are built from.</summary>
    public IServiceProvider Services => _services;

    /// <summary>
    /// Creates the task hub if needed and, when <paramref name="runWorker"/>, starts a worker
    /// that runs <paramref name="tasks"/>. Without a worker the host is a client only.
    /// </summary>
    public static async Task<DurableRuntimeHost> StartAsync(
        DurableRuntimeOptions options,
        TaskTypeCatalog tasks,
        Action<IServiceCollection>? configureServices = null,
        ILoggerFactory? loggerFactory = null,
        bool runWorker = true)
    {
        options.Validate();
        loggerFactory ??= NullLoggerFactory.Instance;
        var counter = new StorageRequestCounter();
        var packets = new BlobPacketBatchStore(new BlobContainerClient(
            options.StorageConnectionString, BlobPacketBatchStore.ContainerName(options.TaskHubName), WithPolicies(new BlobClientOptions(), StorageService.Blob, counter, options)));
        var collection = new ServiceCollection();
        collection.AddSingleton<IPacketBatchStore>(packets);
        collection.AddSingleton(loggerFactory);
        collection.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        configureServices?.Invoke(collection);
        var services = collection.BuildServiceProvider();

        var workerOptions = new DurableTaskWorkerOptions { EnableEntitySupport = true };
        var converter = workerOptions.DataConverter;
        var shims = new DurableTaskShimFactory(workerOptions, loggerFactory);

        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHubName,
            StorageAccountClientProvider = new StorageAccountClientProvider(
                StorageServiceClientProvider.ForBlob(options.StorageConnectionString, WithPolicies(new BlobClientOptions(), StorageService.Blob, counter, options)),
                StorageServiceClientProvider.ForQueue(options.StorageConnectionString, WithPolicies(new QueueClientOptions(), StorageService.Queue, counter, options)),
                StorageServiceClientProvider.ForTable(options.StorageConnectionString, WithPolicies(new TableClientOptions(), StorageService.Table, counter, options))),
            PartitionCount = options.ControlQueuePartitions,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            MaxConcurrentTaskOrchestrationWorkItems = options.MaxConcurrentOrchestrations,
            MaxConcurrentTaskActivityWorkItems = options.MaxConcurrentActivities,
            MaxConcurrentTaskEntityWorkItems = options.MaxConcurrentEntities,
            UseSeparateQueueForEntityWorkItems = true,
            ControlQueueVisibilityTimeout = options.MessageVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = options.MessageVisibilityTimeout,
            // Extended sessions lose entity state between batches on this backend (measured:
            // every batch started from an empty state), so histories are reloaded per work item.
            ExtendedSessionsEnabled = false,
            WorkerId = options.WorkerId,
            // Without it a duplicate start is only logged, and the caller cannot tell.
            ThrowExceptionOnInvalidDedupeStatus = true,
            LoggerFactory = loggerFactory,
        });
        await service.CreateIfNotExistsAsync();

        TaskHubWorker? worker = null;
        DurableRuntimeHost? host = null;
        if (runWorker)
        {
            worker = new TaskHubWorker(
                service,
                new ShimOrchestrationManager(tasks, shims, services),
                new ShimActivityManager(tasks, shims, services),
                new ShimEntityManager(tasks, shims, services),
                loggerFactory);
            worker.AddOrchestrationDispatcherMiddleware(async (context, next) =>
            {
                await next();
                host?.OnOrchestrationStep(context);
            });
        }
        host = new DurableRuntimeHost(service, worker, services, converter, options, counter, packets);
        if (worker is not null)
        {
            await worker.StartAsync();
        }
        return host;
    }

    /// <inheritdoc/>
    public async Task<bool> StartOrchestrationAsync(string name, string instanceId, object input, CancellationToken cancellation = default)
    {
        try
        {
            await Client.CreateOrchestrationInstanceAsync(name, version: string.Empty, instanceId, input, tags: null, dedupeStatuses: RunningOrDone);
            return true;
        }
        catch (DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits until <paramref name="instanceId"/> reaches a final state and returns it. A worker in
    /// this process wakes the wait as soon as the instance finishes; otherwise (or to be sure the
    /// result is committed) the instance table is read every <paramref name="pollInterval"/>.
    /// </summary>
    public async Task<OrchestrationState> WaitForCompletionAsync(string instanceId, TimeSpan pollInterval, CancellationToken cancellation)
    {
        // Every read of the instance table costs the storage service (on Azurite, a single-threaded
        // scan), so with a worker here the first read waits for its wake-up; without one, the
        // first read is immediate (the instance may have finished long ago, e.g. after a restart).
        bool read = _worker is null;
        var wait = pollInterval;
        while (true)
        {
            var signal = _finished.GetOrAdd(instanceId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (read)
            {
                var state = await Client.GetOrchestrationStateAsync(instanceId);
                if (state is not null && IsFinal(state.OrchestrationStatus))
                {
                    _finished.TryRemove(instanceId, out _);
                    return state;
                }
            }
            read = true;
            await Task.WhenAny(signal.Task, Task.Delay(wait, cancellation));
            cancellation.ThrowIfCancellationRequested();
            if (signal.Task.IsCompleted)
            {
                _finished.TryRemove(new KeyValuePair<string, TaskCompletionSource>(instanceId, signal));
                // Woken by this process's worker: the instance row is written just after the wake-up,
                // so a read that still finds it running tries again soon, not a whole poll interval later.
                wait = TimeSpan.FromMilliseconds(25);
            }
            else if (wait < pollInterval)
            {
                wait = TimeSpan.FromTicks(Math.Min(pollInterval.Ticks, wait.Ticks * 2));
            }
        }
    }

    /// <inheritdoc/>
    public async Task<OrchestrationOutcome<T>> WaitForOutcomeAsync<T>(string instanceId, TimeSpan pollInterval, CancellationToken cancellation = default)
    {
        var state = await WaitForCompletionAsync(instanceId, pollInterval, cancellation);
        return state.OrchestrationStatus == OrchestrationStatus.Completed
            ? new OrchestrationOutcome<T>(OrchestrationOutcome<T>.CompletedStatus, ReadOutput<T>(state), null)
            : new OrchestrationOutcome<T>(state.OrchestrationStatus.ToString(), default, state.FailureDetails?.ErrorMessage ?? state.Output);
    }

    /// <summary>Reads an orchestration's output with the SDK's converter.</summary>
    public T? ReadOutput<T>(OrchestrationState state) => state.Output is null ? default : _converter.Deserialize<T>(state.Output);

    /// <inheritdoc/>
    public async Task PurgeAsync(string instanceId, CancellationToken cancellation = default) =>
        await _service.PurgeInstanceHistoryAsync(instanceId);

    /// <inheritdoc/>
    public async IAsyncEnumerable<(string InstanceId, T? Output)> CompletedOrchestrationsAsync<T>(string instanceIdPrefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var condition = new DurableTask.AzureStorage.Tracking.OrchestrationInstanceStatusQueryCondition
        {
            InstanceIdPrefix = instanceIdPrefix,
            RuntimeStatus = [OrchestrationStatus.Completed],
            FetchInput = false,
            FetchOutput = true,
            ExcludeEntities = true,
        };
        string? continuation = null;
        do
        {
            var page = await _service.GetOrchestrationStateAsync(condition, 100, continuation, cancellation);
            foreach (var state in page.OrchestrationState)
            {
                yield return (state.OrchestrationInstance.InstanceId, ReadOutput<T>(state));
            }
            continuation = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken;
        }
        while (continuation is not null);
    }

    /// <inheritdoc/>
    public Task SignalEntityAsync(string entityName, string key, string operation, object? input = null, CancellationToken cancellation = default) =>
        SignalEntityAsync(entityName, key, operation, input, signalTime: null);

    /// <summary>Sends <paramref name="operation"/> to an entity, to run at <paramref name="signalTime"/> (now when null).</summary>
    public Task SignalEntityAsync(string entityName, string key, string operation, object? input, DateTimeOffset? signalTime)
    {
        var id = EntityIdOf(entityName, key);
        var message = ClientEntityHelpers.EmitOperationSignal(
            new OrchestrationInstance { InstanceId = id.ToString() },
            Guid.NewGuid(),
            operation,
            _converter.Serialize(input),
            EntityMessageEvent.GetCappedScheduledTime(DateTime.UtcNow, TimeSpan.FromDays(6), signalTime?.UtcDateTime));
        return Client.ServiceClient.SendTaskOrchestrationMessageAsync(message.AsTaskMessage());
    }

    /// <inheritdoc/>
    public async Task<T?> GetEntityStateAsync<T>(string entityName, string key, CancellationToken cancellation = default)
    {
        var metadata = await Entities.GetEntityAsync(EntityIdOf(entityName, key), includeState: true, includeStateless: false, cancellation);
        return metadata?.SerializedState is { } state ? _converter.Deserialize<T>(state) : default;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<(string Key, T State)> QueryEntitiesAsync<T>(string entityName, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation = default)
    {
        string? continuation = null;
        do
        {
            var page = await Entities.QueryEntitiesAsync(
                new EntityBackendQueries.EntityQuery
                {
                    InstanceIdStartsWith = $"@{entityName.ToLowerInvariant()}@",
                    IncludeState = true,
                    ContinuationToken = continuation,
                    PageSize = 500,
                },
                cancellation);
            foreach (var entity in page.Results)
            {
                if (entity.SerializedState is { } state)
                {
                    yield return (entity.EntityId.Key, _converter.Deserialize<T>(state)!);
                }
            }
            continuation = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(continuation));
    }

    /// <summary>
    /// Stops the worker. <paramref name="drain"/> waits for work items in flight; without it the
    /// worker stops at once and the backend hands unfinished work to the next worker after its
    /// lease and visibility timeouts — the crash case.
    /// </summary>
    public async Task StopAsync(bool drain = true)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        // A client-only host never started the service's dispatch loops, so there is nothing to stop.
        if (_worker is null)
        {
            return;
        }
        var stopping = _worker.StopAsync(isForced: !drain);
        try
        {
            await stopping.WaitAsync(Options.StopTimeout);
        }
        catch (TimeoutException) when (!stopping.IsCompleted)
        {
            // Storage that does not answer keeps the backend's partition manager waiting for
            // minutes: stop waiting, as a crashed worker would, and let its leases expire.
            StopTimedOut = true;
            _ = stopping.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>The last stop gave up waiting for the backend after <see cref="DurableRuntimeOptions.StopTimeout"/>.</summary>
    public bool StopTimedOut { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _worker?.Dispose();
        await _services.DisposeAsync();
    }

    /// <summary>Client options with the retry budget, the request counter and the configured policies, per retry, so each attempt on the wire is seen.</summary>
    private static T WithPolicies<T>(T clientOptions, StorageService service, StorageRequestCounter counter, DurableRuntimeOptions options)
        where T : Azure.Core.ClientOptions
    {
        clientOptions.Retry.Mode = Azure.Core.RetryMode.Exponential;
        clientOptions.Retry.MaxRetries = options.StorageRetries;
        clientOptions.Retry.Delay = options.StorageRetryDelay;
        clientOptions.Retry.MaxDelay = options.StorageRetryMaxDelay;
        clientOptions.AddPolicy(counter.For(service), Azure.Core.HttpPipelinePosition.PerRetry);
        if (service == StorageService.Queue)
        {
            // Inside the counter, outside any other policy: it sees the reply the client would.
            clientOptions.AddPolicy(counter.LostUpdateReplies, Azure.Core.HttpPipelinePosition.PerRetry);
        }
        foreach (var policy in options.StoragePolicies)
        {
            clientOptions.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerRetry);
        }
        return clientOptions;
    }

    // The SDK lower-cases entity names (EntityInstanceId); Core's EntityId keeps what it is given,
    // and the backend's instance ids are case-sensitive, so "Flow" and "flow" would be two entities.
    private static EntityId EntityIdOf(string entityName, string key) => new(entityName.ToLowerInvariant(), key);

    private static bool IsFinal(OrchestrationStatus status) =>
        status is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;

    private void OnOrchestrationStep(DispatchMiddlewareContext context)
    {
        var result = context.GetProperty<OrchestratorExecutionResult>();
        var instance = context.GetProperty<OrchestrationInstance>();
        if (result is null || instance is null || !result.Actions.OfType<DurableTask.Core.Command.OrchestrationCompleteOrchestratorAction>().Any())
        {
            return;
        }
        // The step's results are committed just after the middleware returns; the waiter
        // re-reads the instance table, so an early wake-up costs one read, never a wrong answer.
        Interlocked.Increment(ref _completionsSeen);
        if (_finished.TryGetValue(instance.InstanceId, out var signal))
        {
            _ = Task.Delay(20).ContinueWith(_ => signal.TrySetResult(), TaskScheduler.Default);
        }
    }
}
