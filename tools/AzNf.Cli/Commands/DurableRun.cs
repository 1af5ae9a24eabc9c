using AzNf.Partitions;
using System.Globalization;
using AzNf.Azurite;
using AzNf.DurableRuntime;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Outputs.Eve;
using AzNf.Outputs.Metrics;
using AzNf.Packets.Capture;

namespace AzNf.Cli.Commands;

/// <summary>
/// <c>aznf run --runtime durable</c>: the same capture and chain on the durable path. Storage is
/// <c>AZNF_STORAGE</c> (a real account or a running Azurite) when set, else a private Azurite
/// that this command installs if needed, starts and stops, so it works as it stands on a fresh
/// machine with Node.js.
/// </summary>
internal static class DurableRun
{
    public const string StorageVariable = "AZNF_STORAGE";

    /// <summary>When set (a file path), the private Azurite writes its debug log there: one line per request, for counting.</summary>
    public const string AzuriteDebugVariable = "AZNF_AZURITE_DEBUG";

    /// <summary>
    /// Runs the capture on the durable runtime. EVE alerts and flows are written as each work
    /// unit completes (every flow, not only those the report keeps), the stats event at the end;
    /// no drop events yet (a work unit returns counts, not per-packet verdicts). Metrics are
    /// each unit's tally, its time and the task hub's storage requests.
    /// </summary>
    public static int Execute(RunCommand.Settings settings, string chainFile, ChainDefinition chain, CaptureReader capture, EveOutput? eve, ChainMetrics? metrics, CancellationToken cancellation) =>
        ExecuteAsync(settings, chainFile, chain, capture, eve, metrics, cancellation).GetAwaiter().GetResult();

    private static async Task<int> ExecuteAsync(RunCommand.Settings settings, string chainFile, ChainDefinition chain, CaptureReader capture, EveOutput? eve, ChainMetrics? metrics, CancellationToken cancellation)
    {
        var eveLines = new EveRecordLines();
        Task UnitCompleted(ChainTally tally, TimeSpan? elapsed)
        {
            metrics?.Record(tally, elapsed);
            eve?.Append(eveLines.Of(tally));
            return Task.CompletedTask;
        }
        var started = DateTimeOffset.UtcNow;
        ChainGranularity? granularity = settings.Granularity is { } g && ChainQosNames.TryParse(g, out ChainGranularity parsed) ? parsed : null;
        var chainOptions = new DurableChainOptions
        {
            Granularity = granularity,
            Mode = settings.Mode is { } m && ChainQosNames.TryParse(m, out ChainMode mode) ? mode : null,
            // The chain's flowShards unless --shards says otherwise (a stage with slice state needs the chain's).
            FlowShards = settings.Shards ?? chain.FlowShards,
            PartitionCount = settings.Partitions ?? Environment.ProcessorCount,
            UnitCompleted = eve is null && metrics is null ? null : UnitCompleted,
        };
        try
        {
            DurableChainHandler.RequireSupported(chain, chainOptions, granularity ?? chain.Granularity, chainOptions.Mode ?? chain.Mode);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {chainFile}: {e.Message.Split(" (Parameter", 2)[0]}");
            return ExitCodes.Usage;
        }
        string? connection = Environment.GetEnvironmentVariable(StorageVariable);
        AzuriteServer? azurite = null;
        try
        {
            if (string.IsNullOrWhiteSpace(connection))
            {
                RunCommand.Status(settings, $"{StorageVariable} is not set: starting a private Azurite (npm azurite@{AzuriteOptions.PinnedVersion})");
                azurite = await AzuriteServer.StartAsync(new AzuriteOptions { DebugLog = Environment.GetEnvironmentVariable(AzuriteDebugVariable) }, cancellation);
                connection = azurite.ConnectionString;
            }
            string hub = settings.TaskHub ?? "aznf" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            bool batches = (granularity ?? chain.Granularity) == ChainGranularity.Batch;
            var request = new DurableRunRequest
            {
                ChainFile = chainFile,
                Runtime = new DurableRuntimeOptions
                {
                    StorageConnectionString = connection,
                    TaskHubName = hub,
                    ControlQueuePartitions = settings.ControlQueues ?? DurableRuntimeOptions.DefaultControlQueuePartitions,
                    MaxQueuePollingInterval = settings.PollMilliseconds is { } poll ? TimeSpan.FromMilliseconds(poll) : DurableRuntimeOptions.DefaultMaxQueuePollingInterval,
                    FlowShards = new FlowShardOptions { CachedFlows = settings.FlowMapCache ?? new FlowShardOptions().CachedFlows },
                },
                Chain = chainOptions,
                StorageCounting = metrics is null ? null : counter => metrics.ObserveStorageRequests(() =>
                [
                    new("blob", counter.BlobRequests),
                    new("queue", counter.QueueRequests),
                    new("table", counter.TableRequests),
                ]),
                Partitions = chainOptions.PartitionCount.Value,
                BatchPackets = settings.Batch ?? (batches ? 65_536 : 256),
                BatchBytes = (settings.BatchMegabytes ?? 64) * 1024 * 1024,
                // One line per stored batch: how far a run got, and where a killed one will resume.
                Checkpointed = (partition, sequence) => RunCommand.Status(settings, string.Create(CultureInfo.InvariantCulture, $"checkpoint: partition {partition} after packet {sequence}")),
            };
            RunCommand.Status(settings, $"durable runtime: task hub {hub}, chain {chain.Name}, {request.Partitions} partitions");
            var result = await DurableChainRun.RunAsync(request, capture, cancellation: cancellation);
            if (result.ResumedAfter.Count > 0)
            {
                RunCommand.Status(settings, $"resumed task hub {hub} after its checkpoints ({string.Join(", ", result.ResumedAfter.OrderBy(c => c.Key).Select(c => $"partition {c.Key} after packet {c.Value}"))}): {result.ResumedPackets} packets were handled by the run before");
            }
            foreach (string failure in result.Failures)
            {
                Console.Error.WriteLine($"error: {failure}");
            }
            RunCommand.Status(settings, Summary(result));
            if (eve is not null)
            {
                if (RunCommand.FinishEve(settings, eve, result.Report, started) is var eveCode && eveCode != ExitCodes.Ok)
                {
                    return eveCode;
                }
            }
            int code = RunCommand.Finish(settings, result.Report);
            return code == ExitCodes.Ok && result.Failures.Count > 0 ? ExitCodes.BadInput : code;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Console.Error.WriteLine($"error: durable runtime: interrupted; the task hub keeps the checkpoints of the batches stored so far: the same command with --task-hub {settings.TaskHub ?? "(the hub named above)"} resumes after them");
            return ExitCodes.Interrupted;
        }
        catch (RunResumeException e)
        {
            Console.Error.WriteLine($"error: --task-hub: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (AzuriteException e)
        {
            Console.Error.WriteLine($"error: durable runtime: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or Azure.RequestFailedException or HttpRequestException or TimeoutException || e.InnerException is Azure.RequestFailedException)
        {
            string source = azurite is null ? $"the storage in {StorageVariable}" : "the private Azurite";
            // The backend wraps the storage client's error in a message that names nothing.
            var cause = e.InnerException is Azure.RequestFailedException inner ? inner : e;
            Console.Error.WriteLine($"error: durable runtime: {source}: {cause.Message.Split('\n')[0]}");
            return ExitCodes.Unavailable;
        }
        catch (PartitionsFailedException e)
        {
            return RunCommand.PartitionsFailed(e);
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    private static string Summary(DurableRunResult result)
    {
        var ms = result.Timings.Select(t => t.Elapsed.TotalMilliseconds).Order().ToArray();
        double seconds = result.Elapsed.TotalSeconds;
        var totals = result.Report.Totals;
        string rate = string.Create(CultureInfo.InvariantCulture, $"{totals.Packets / seconds:F0} packets/s, {totals.Bytes * 8 / seconds / 1e6:F2} Mbps");
        if (ms.Length == 0)
        {
            return $"{ChainQosNames.Name(result.Granularity)}/{ChainQosNames.Name(result.Mode)}: no units, {rate}";
        }
        double mean = ms.Average();
        double sigma = Math.Sqrt(ms.Sum(x => (x - mean) * (x - mean)) / ms.Length);
        double p99 = ms[(int)Math.Min(ms.Length - 1, Math.Ceiling(ms.Length * 0.99) - 1)];
        // Time inside the NF steps themselves: fused, every stage reports the one step's time; staged, each its own.
        double nfMs = result.Timings.Average(t => t.Stages.Count == 0 ? 0 : result.Mode == ChainMode.Fused ? t.Stages.Max(s => s.ElapsedMs) : t.Stages.Sum(s => s.ElapsedMs));
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{ChainQosNames.Name(result.Granularity)}/{ChainQosNames.Name(result.Mode)}: {ms.Length} units ({totals.Packets / (double)ms.Length:F1} packets each), unit latency mean {mean:F0} ms σ {sigma:F0} p50 {ms[ms.Length / 2]:F0} p99 {p99:F0} (NF steps {nfMs:F1} ms); {rate}; {seconds:F1} s (feed {result.FeedElapsed.TotalSeconds:F1} s); {result.Duplicates} duplicates, {result.Failures.Count} failed")
            + Environment.NewLine + StorageLine(result);
    }

    /// <summary>What the run cost the storage service: requests (queue polls included) and bytes, per 1,000 packets.</summary>
    private static string StorageLine(DurableRunResult result)
    {
        var storage = result.Storage;
        long packets = Math.Max(1, result.Report.Totals.Packets);
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"storage: {storage.Requests} requests ({storage.Blob} blob, {storage.Queue} queue, {storage.Table} table), {storage.Requests * 1000.0 / packets:F1} per 1,000 packets; {storage.BytesSent / 1e6:F1} MB sent, {storage.BytesReceived / 1e6:F1} MB received; {storage.Retries} retried");
        var batches = result.Batches;
        if (batches.Batches > 0)
        {
            line += string.Create(
                CultureInfo.InvariantCulture,
                $"; batches: {batches.Batches}, {batches.ShardSteps} shard steps ({batches.LateSteps} late), packet blobs {batches.BlobBytes / 1e6:F1} MB, flow maps written {batches.StateBytes / 1e6:F2} MB ({batches.StateBytes * 1000.0 / packets:F0} B per 1,000 packets), {batches.Purged} purged");
        }
        return line;
    }
}
