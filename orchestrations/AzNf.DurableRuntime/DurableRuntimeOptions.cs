namespace AzNf.DurableRuntime;

/// <summary>
/// Settings of the durable runtime: the storage account (Azurite or real) behind the task hub
/// and the knobs that decide its latency and concurrency. Every limit is explicit.
/// </summary>
public sealed record DurableRuntimeOptions
{
    /// <summary>Storage connection string (Azurite's, or a real account's).</summary>
    public required string StorageConnectionString { get; init; }

    /// <summary>Task hub name: 3–45 letters and digits, starting with a letter (the backend names queues and tables after it).</summary>
    public string TaskHubName { get; init; } = "aznf";

    /// <summary>Control-queue partitions of the task hub (1–16); orchestrations and entities spread over them.</summary>
    public int ControlQueuePartitions { get; init; } = DefaultControlQueuePartitions;

    /// <summary>
    /// Two: each control queue is polled on its own, so every partition costs requests while idle;
    /// two still let two workers share the hub. Measured on Azurite (docs/PERFORMANCE.md).
    /// </summary>
    public const int DefaultControlQueuePartitions = 2;

    /// <summary>
    /// One second: the backend resets its back-off when this process sends to a queue, so work
    /// within one process is picked up at once; only work sent by another process waits up to this.
    /// </summary>
    public static readonly TimeSpan DefaultMaxQueuePollingInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest wait between polls of an empty queue. The backend backs off up to this; the
    /// default of Durable Functions (30 s) makes an idle-then-busy hub sluggish, so it is shorter here.
    /// </summary>
    public TimeSpan MaxQueuePollingInterval { get; init; } = DefaultMaxQueuePollingInterval;

    /// <summary>
    /// How long a dequeued message stays invisible to other workers. A worker that dies holding
    /// one delays its orchestration by this much; live workers renew it while they work. The
    /// backend's default is 5 minutes.
    /// </summary>
    public TimeSpan MessageVisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxConcurrentOrchestrations { get; init; } = 256;

    public int MaxConcurrentActivities { get; init; } = 32;

    public int MaxConcurrentEntities { get; init; } = 256;

    /// <summary>
    /// Policies added to every storage client of the task hub (and of the packet store), after the
    /// request counter: the place for fault injection. Empty by default.
    /// </summary>
    public IReadOnlyList<Azure.Core.Pipeline.HttpPipelinePolicy> StoragePolicies { get; init; } = [];

    /// <summary>
    /// Retries of a failed storage request (a 5xx, a timeout, a dropped connection) by every
    /// client of the task hub and the packet store, exponential from <see cref="StorageRetryDelay"/>
    /// up to <see cref="StorageRetryMaxDelay"/>. The defaults ride out about 20 s of storage that
    /// does not answer; longer, and the run fails (exit 69 from the CLI). The SDK's own default is 3.
    /// </summary>
    public int StorageRetries { get; init; } = 6;

    public TimeSpan StorageRetryDelay { get; init; } = TimeSpan.FromMilliseconds(400);

    public TimeSpan StorageRetryMaxDelay { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>What the flow shards keep and how they write their maps (tombstone retention, inline bytes, deltas).</summary>
    public AzNf.Orchestrations.Entities.FlowShardOptions FlowShards { get; init; } = new();

    /// <summary>
    /// How long stopping the worker may take. The backend waits for work in flight and releases
    /// its partition leases, and with the storage gone its partition manager waits 10 minutes
    /// before it gives up; past this bound the host stops waiting (the leases then expire on
    /// their own, as after a crash) and <see cref="DurableRuntimeHost.StopTimedOut"/> says so.
    /// </summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Identifies this worker in partition leases.</summary>
    public string WorkerId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Throws if a setting is out of range, naming it.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(StorageConnectionString))
        {
            throw new ArgumentException("StorageConnectionString is empty", nameof(StorageConnectionString));
        }
        if (TaskHubName.Length is < 3 or > 45 || !char.IsAsciiLetter(TaskHubName[0]) || !TaskHubName.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"TaskHubName '{TaskHubName}' must be 3–45 letters and digits starting with a letter", nameof(TaskHubName));
        }
        if (ControlQueuePartitions is < 1 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(ControlQueuePartitions), ControlQueuePartitions, "must be 1–16");
        }
        if (MessageVisibilityTimeout < TimeSpan.FromSeconds(5))
        {
            throw new ArgumentOutOfRangeException(nameof(MessageVisibilityTimeout), MessageVisibilityTimeout, "must be at least 5 s (workers renew it while they work)");
        }
        if (MaxQueuePollingInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueuePollingInterval), MaxQueuePollingInterval, "must be positive");
        }
        if (StorageRetries is < 0 or > 20)
        {
            throw new ArgumentOutOfRangeException(nameof(StorageRetries), StorageRetries, "must be 0–20");
        }
        if (StorageRetryDelay <= TimeSpan.Zero || StorageRetryMaxDelay < StorageRetryDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(StorageRetryDelay), "retry delays must be positive, the longest at least the first");
        }
        if (MaxConcurrentOrchestrations < 1 || MaxConcurrentActivities < 1 || MaxConcurrentEntities < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentOrchestrations), "every concurrency limit must be at least 1");
        }
        if (StopTimeout <= TimeSpan.Zero || StopTimeout > TimeSpan.FromMinutes(30))
        {
            throw new ArgumentOutOfRangeException(nameof(StopTimeout), StopTimeout, "must be more than 0 and at most 30 minutes");
        }
    }
}
