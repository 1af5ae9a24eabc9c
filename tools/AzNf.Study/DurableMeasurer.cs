using System.Globalization;
using AzNf.DurableRuntime;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Hub;
using AzNf.Packets.Capture;

namespace AzNf.Study;

/// <summary>
/// Runs a capture through a chain on the durable runtime (orchestrations and entities on the
/// Azure Storage backend) at a granularity and mode, on a fresh task hub each run, and measures
/// it: wall time, every unit's latency, the storage requests by service.
/// </summary>
public sealed class DurableMeasurer(string storageConnectionString)
{
    private int _runs;

    public async Task<RunSample> MeasureAsync(string chainFile, string capturePath, string granularity, string mode, int partitions, CancellationToken cancellation = default)
    {
        if (!ChainQosNames.TryParse(granularity, out ChainGranularity parsedGranularity) || !ChainQosNames.TryParse(mode, out ChainMode parsedMode))
        {
            throw new ArgumentException($"unknown granularity '{granularity}' or mode '{mode}'");
        }
        string hub = string.Create(CultureInfo.InvariantCulture, $"study{Environment.ProcessId}n{Interlocked.Increment(ref _runs)}");
        var request = new DurableRunRequest
        {
            ChainFile = chainFile,
            Runtime = new DurableRuntimeOptions { StorageConnectionString = storageConnectionString, TaskHubName = hub },
            Chain = new DurableChainOptions { Granularity = parsedGranularity, Mode = parsedMode, FlowShards = 4 },
            Partitions = partitions,
            // As aznf run --runtime durable: a batch unit is a stored blob of up to 64 Ki packets.
            BatchPackets = parsedGranularity == ChainGranularity.Batch ? 65_536 : 256,
            BatchBytes = 64 * 1024 * 1024,
        };
        using var capture = CaptureReader.Open(capturePath);
        var result = await DurableChainRun.RunAsync(request, capture, cancellation: cancellation);
        if (result.Failures.Count > 0)
        {
            throw new StudyRunException($"durable {granularity}/{mode} run of {Path.GetFileName(chainFile)} on {Path.GetFileName(capturePath)}: {result.Failures.Count} units failed, the first: {result.Failures.First()}");
        }
        var totals = result.Report.Totals;
        var storage = result.Storage;
        return new RunSample(
            result.FeedElapsed.TotalSeconds,
            totals.Packets,
            totals.Bytes,
            result.Timings.Select(t => t.Elapsed.TotalMilliseconds).ToList(),
            new StorageSample(storage.Blob, storage.Queue, storage.Table, storage.BytesSent, storage.BytesReceived, storage.Retries),
            result.Elapsed.TotalSeconds);
    }
}

/// <summary>A measured run that did not complete (a unit failed): the study stops rather than report a cell it did not fill.</summary>
public sealed class StudyRunException(string message) : Exception(message);
