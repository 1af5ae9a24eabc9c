namespace AzNf.Study;

/// <summary>What one durable run cost the storage service.</summary>
public sealed record StorageSample(long Blob, long Queue, long Table, long BytesSent, long BytesReceived, long Retries)
{
    public long Requests => Blob + Queue + Table;
}

/// <summary>
/// One measured run: the time the packets took, what went through, the latency of each work unit
/// (the embedded runtime's unit is a partition's batch; the durable runtime's its granularity's
/// unit) and, on the durable runtime, the storage requests and the whole run's wall time.
/// </summary>
/// <param name="Seconds">Embedded: from opening the capture to the last partition's end. Durable:
/// the feed, from the first packet into the log to the last unit's stored result; the host's start
/// and task hub creation before it and the report read after it are in <paramref name="WallSeconds"/>
/// only (a deployed app does them once, not per capture).</param>
/// <param name="Packets">Packets through the chain.</param>
/// <param name="Bytes">Their wire bytes.</param>
/// <param name="UnitLatencyMs">Each work unit's latency.</param>
/// <param name="Storage">Durable: every request of the run, the one-off ones included.</param>
/// <param name="WallSeconds">Durable: the whole run, host start to report.</param>
public sealed record RunSample(double Seconds, long Packets, long Bytes, IReadOnlyList<double> UnitLatencyMs, StorageSample? Storage = null, double? WallSeconds = null)
{
    public double Mbps => Bytes * 8 / Seconds / 1e6;

    public double PacketsPerSecond => Packets / Seconds;
}

/// <summary>Unit latency over all runs of a cell: mean and σ with n = units, p50 and p99 (ms).</summary>
public sealed record LatencySummary(Summary Ms, double P50, double P99)
{
    public static LatencySummary Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        return new LatencySummary(Summary.Of(sorted), Summary.Percentile(sorted, 50), Summary.Percentile(sorted, 99));
    }
}

/// <summary>A cell's runs and what they add up to.</summary>
public sealed record CellResult(StudyCell Cell, int Partitions, IReadOnlyList<RunSample> Runs)
{
    public Summary Mbps => Summary.Of(Runs.Select(r => r.Mbps).ToArray());

    public Summary PacketsPerSecond => Summary.Of(Runs.Select(r => r.PacketsPerSecond).ToArray());

    public LatencySummary Latency => LatencySummary.Of(Runs.SelectMany(r => r.UnitLatencyMs));

    /// <summary>Packets per work unit (mean over runs).</summary>
    public double PacketsPerUnit => Runs.Average(r => r.UnitLatencyMs.Count == 0 ? 0 : (double)r.Packets / r.UnitLatencyMs.Count);

    /// <summary>Storage requests per 1,000 packets (durable only; mean over runs).</summary>
    public double? StorageRequestsPer1000Packets =>
        Runs.All(r => r.Storage is not null) && Runs.Count > 0 ? Runs.Average(r => r.Storage!.Requests * 1000.0 / Math.Max(1, r.Packets)) : null;

    /// <summary>The study's Lambda row for this NF, or null (the chain; the study ran none).</summary>
    public BaselineRow? Lambda => LambdaBaseline.For(Cell.Nf);

    /// <summary>Our mean throughput over Lambda's (null without a Lambda row).</summary>
    public double? MbpsRatio => Lambda is { } l ? Mbps.Mean / l.MbpsMean : null;
}

/// <summary>One point of a sweep: the x value (partitions, frame bytes) and the runs there.</summary>
public sealed record SweepPoint(int X, IReadOnlyList<RunSample> Runs)
{
    public Summary Mbps => Summary.Of(Runs.Select(r => r.Mbps).ToArray());

    public Summary PacketsPerSecond => Summary.Of(Runs.Select(r => r.PacketsPerSecond).ToArray());
}

/// <summary>Managed memory per live flow of an NF on the embedded runtime (flow table and NF state).</summary>
public sealed record MemoryRow(string Nf, int Flows, long BytesPerFlow);

/// <summary>Where the study ran, printed in every output so nobody mistakes a local figure for Azure's.</summary>
public sealed record StudyEnvironment(
    string Machine, int Cores, double MemoryGiB, string Os, string Runtime, string Storage, string Date);

/// <summary>A capture the study ran over.</summary>
public sealed record StudyCapture(string Purpose, string Path, long Packets, long Bytes)
{
    public double MeanFrameBytes => Packets == 0 ? 0 : (double)Bytes / Packets;
}

/// <summary>Everything one study measured and concluded; written as study.json, .md and .html.</summary>
public sealed record StudyResults
{
    public required StudyEnvironment Environment { get; init; }

    public required IReadOnlyList<string> Plan { get; init; }

    public required IReadOnlyList<StudyCapture> Captures { get; init; }

    public required IReadOnlyList<CellResult> Cells { get; init; }

    public required IReadOnlyList<SweepPoint> PartitionSweep { get; init; }

    public required IReadOnlyList<SweepPoint> SizeSweep { get; init; }

    public required IReadOnlyList<MemoryRow> Memory { get; init; }

    /// <summary>Stages of the chain (samples/chains/full.json) the chain cells ran.</summary>
    public required int ChainStages { get; init; }

    /// <summary>The cost model's answer (<see cref="Priced"/>).</summary>
    public CostReport? Cost { get; init; }

    public string LambdaSource => LambdaBaseline.Source;

    /// <summary>The capture of the embedded cells and the durable batch cells.</summary>
    public const string LargeCapture = "embedded cells, durable batch cells";

    /// <summary>The capture of the durable cells whose unit is a packet, a flowlet or a flow.</summary>
    public const string SmallCapture = "durable packet, flowlet and flow cells";

    /// <summary>Which capture a cell ran over (by its purpose).</summary>
    public static string CaptureOf(StudyCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        return cell.Runtime == StudyCell.Durable && cell.Granularity != "batch" ? SmallCapture : LargeCapture;
    }

    /// <summary>These results with the chain cells priced: measured once, priced as often as prices change.</summary>
    public StudyResults Priced(Prices prices, CostAssumptions assumptions)
    {
        var frameBytes = Captures.ToDictionary(c => c.Purpose, c => c.MeanFrameBytes);
        return this with
        {
            Cost = CostModel.Estimate(
                Cells.Where(c => c.Cell.Nf == "chain"),
                cell => frameBytes[CaptureOf(cell)],
                ChainStages,
                prices,
                assumptions,
                $"on {Environment.Machine} ({Environment.Cores} cores), storage {Environment.Storage}"),
        };
    }
}
