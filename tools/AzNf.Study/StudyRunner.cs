using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using AzNf.Azurite;
using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;

namespace AzNf.Study;

/// <summary>What a study is run with.</summary>
public sealed record StudyOptions
{
    public required StudyPlan Plan { get; init; }

    /// <summary>The shipped samples (chains and rules of the NFs).</summary>
    public required string SamplesRoot { get; init; }

    /// <summary>A capture to run every NF cell over instead of the generated ones.</summary>
    public string? CapturePath { get; init; }

    public required Prices Prices { get; init; }

    public required CostAssumptions Cost { get; init; }

    /// <summary>Storage for the durable cells; null starts a private Azurite for them.</summary>
    public string? StorageConnectionString { get; init; }

    /// <summary>Where generated captures and chain files go while the study runs (deleted after).</summary>
    public required string WorkFolder { get; init; }
}

/// <summary>How a study reports its progress: each step as it starts and ends.</summary>
public interface IStudyProgress
{
    void Started(int step, int steps, string name);

    void Finished(int step, int steps, string name, string outcome);
}

/// <summary>
/// Runs a <see cref="StudyPlan"/>: every cell, the sweeps and the memory measurement, then the
/// cost model; the caller writes the results (<see cref="StudyReport"/>).
/// </summary>
public static class StudyRunner
{
    public static async Task<StudyResults> RunAsync(StudyOptions options, IStudyProgress progress, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var plan = options.Plan;
        Directory.CreateDirectory(options.WorkFolder);
        var chainFiles = StudyNfChains.Write(options.SamplesRoot, options.WorkFolder);
        var chains = chainFiles.ToDictionary(c => c.Key, c => ChainDefinition.Load(c.Value));
        bool durable = plan.Cells.Any(c => c.Runtime == StudyCell.Durable);
        // The large capture for the embedded cells and the durable batch cells; a small one for the
        // durable cells whose unit is a packet, a flowlet or a flow (one orchestration each).
        string largeCapture = options.CapturePath ?? Generate(Path.Combine(options.WorkFolder, "study-large.pcap"), plan.Flows, seed: 1);
        // Generated only when a durable cell runs over it (the warm-up run uses it too).
        string smallCapture = options.CapturePath ?? (durable ? Generate(Path.Combine(options.WorkFolder, "study-small.pcap"), plan.DurableFlows, seed: 2) : "");
        const string Large = StudyResults.LargeCapture, Small = StudyResults.SmallCapture;
        var captures = new List<StudyCapture> { Describe(Large, largeCapture, options.CapturePath is null ? $"generated: {plan.Flows} flows (aznf gen --flows {plan.Flows} --seed 1)" : null) };
        if (plan.Cells.Any(c => c.Runtime == StudyCell.Durable && c.Granularity != "batch"))
        {
            captures.Add(Describe(Small, smallCapture, options.CapturePath is null ? $"generated: {plan.DurableFlows} flows (aznf gen --flows {plan.DurableFlows} --seed 2)" : null));
        }
        var capturePaths = new Dictionary<string, string> { [Large] = largeCapture, [Small] = smallCapture };
        var sizeCaptures = plan.PacketSizes.ToDictionary(size => size, size => WriteFixedSize(Path.Combine(options.WorkFolder, $"size-{size}.pcap"), size, plan.SizeFlows));
        captures.AddRange(sizeCaptures.Select(c => Describe($"frame size {c.Key} B", c.Value, $"generated: {plan.SizeFlows} TCP flows of {c.Key}-byte frames")));

        int steps = plan.Cells.Count + plan.PartitionCounts.Count + plan.PacketSizes.Count + 1;
        int step = 0;
        AzuriteServer? azurite = null;
        string storage = "none (no durable cells)";
        try
        {
            DurableMeasurer? measurer = null;
            if (durable)
            {
                string? connection = options.StorageConnectionString;
                if (string.IsNullOrWhiteSpace(connection))
                {
                    azurite = await AzuriteServer.StartAsync(cancellation: cancellation);
                    connection = azurite.ConnectionString;
                    storage = $"Azurite {AzuriteOptions.PinnedVersion} (npm), a private one on this machine: not Azure Storage";
                }
                else
                {
                    storage = "AZNF_STORAGE: " + StorageName(connection);
                }
                measurer = new DurableMeasurer(connection);
            }

            var cells = new List<CellResult>();
            bool embeddedWarm = false, durableWarm = false;
            foreach (var cell in plan.Cells)
            {
                progress.Started(++step, steps, cell.Name);
                var runs = new List<RunSample>();
                if (cell.Runtime == StudyCell.Embedded)
                {
                    // One unmeasured run first: JIT, pools and the page cache, as a long-lived function would have them.
                    if (!embeddedWarm)
                    {
                        EmbeddedMeasurer.Measure(chains[cell.Nf], largeCapture, plan.Partitions, cancellation);
                        embeddedWarm = true;
                    }
                    runs.AddRange(Repeat(plan.Repeat, () => EmbeddedMeasurer.Measure(chains[cell.Nf], largeCapture, plan.Partitions, cancellation)));
                }
                else
                {
                    if (!durableWarm)
                    {
                        await measurer!.MeasureAsync(chainFiles[cell.Nf], smallCapture, "batch", "fused", plan.Partitions, cancellation);
                        durableWarm = true;
                    }
                    for (int r = 0; r < plan.DurableRepeat; r++)
                    {
                        runs.Add(await measurer!.MeasureAsync(chainFiles[cell.Nf], capturePaths[StudyResults.CaptureOf(cell)], cell.Granularity, cell.Mode, plan.Partitions, cancellation));
                    }
                }
                var result = new CellResult(cell, plan.Partitions, runs);
                cells.Add(result);
                progress.Finished(step, steps, cell.Name, Outcome(result.Mbps, result.Latency.P50));
            }

            var partitionSweep = new List<SweepPoint>();
            foreach (int partitions in plan.PartitionCounts)
            {
                string name = $"embedded chain, {partitions} partitions";
                progress.Started(++step, steps, name);
                var point = new SweepPoint(partitions, Repeat(plan.Repeat, () => EmbeddedMeasurer.Measure(chains["chain"], largeCapture, partitions, cancellation)));
                partitionSweep.Add(point);
                progress.Finished(step, steps, name, Outcome(point.Mbps, null));
            }

            var sizeSweep = new List<SweepPoint>();
            foreach (var (size, capture) in sizeCaptures)
            {
                string name = $"embedded chain, {size}-byte frames";
                progress.Started(++step, steps, name);
                var point = new SweepPoint(size, Repeat(plan.Repeat, () => EmbeddedMeasurer.Measure(chains["chain"], capture, plan.Partitions, cancellation)));
                sizeSweep.Add(point);
                progress.Finished(step, steps, name, Outcome(point.Mbps, null));
            }

            progress.Started(++step, steps, "memory per flow");
            var memory = StudyPlan.Nfs
                .Select(nf => (Nf: nf, Flows: Math.Min(plan.MemoryFlows, chains[nf].FlowTable.Capacity)))
                .Select(m => new MemoryRow(m.Nf, m.Flows, FlowMemory.BytesPerFlow(chains[m.Nf], m.Flows)))
                .ToList();
            progress.Finished(step, steps, "memory per flow", string.Join(", ", memory.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Nf} {m.BytesPerFlow:N0} B"))));

            return new StudyResults
            {
                Environment = Environment(storage),
                Plan = plan.Describe().ToList(),
                Captures = captures,
                Cells = cells,
                PartitionSweep = partitionSweep,
                SizeSweep = sizeSweep,
                Memory = memory,
                ChainStages = chains["chain"].Stages.Count,
            }.Priced(options.Prices, options.Cost);
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    private static List<RunSample> Repeat(int times, Func<RunSample> run) => Enumerable.Range(0, times).Select(_ => run()).ToList();

    private static string Outcome(Summary mbps, double? p50) =>
        string.Create(CultureInfo.InvariantCulture, $"{mbps.Mean:N1} Mbps{(mbps.Sigma is { } s ? $" σ {s:N1}" : "")} (n={mbps.N}){(p50 is { } p ? $", unit p50 {p:N2} ms" : "")}");

    private static string Generate(string path, int flows, int seed)
    {
        var frames = SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = flows, Seed = seed });
        using var writer = PcapWriter.Create(path, LinkType.Ethernet, nanosecondTimestamps: true);
        foreach (var frame in frames)
        {
            writer.Write(frame.TimestampNanos, frame.Data);
        }
        return path;
    }

    /// <summary>Fixed-size TCP traffic as a capture: every flow's handshake, then 20 data frames per flow, 1 µs apart.</summary>
    private static string WriteFixedSize(string path, int frameSize, int flows)
    {
        var traffic = BenchmarkTraffic.Create(frameSize, flows, dataPerFlow: 20);
        using var writer = PcapWriter.Create(path, LinkType.Ethernet, nanosecondTimestamps: true);
        long time = 1_700_000_000_000_000_000;
        foreach (var frame in traffic.Handshakes.Concat(traffic.Data))
        {
            writer.Write(time += 1_000, frame);
        }
        return path;
    }

    private static StudyCapture Describe(string purpose, string path, string? generated)
    {
        long packets = 0, bytes = 0;
        using (var reader = CaptureReader.Open(path))
        {
            while (reader.TryRead(out var record))
            {
                packets++;
                bytes += record.OriginalLength;
            }
        }
        return new StudyCapture(purpose, generated ?? path, packets, bytes);
    }

    private static StudyEnvironment Environment(string storage)
    {
        string cpu = "unknown CPU";
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        double memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30);
        return new StudyEnvironment(
            cpu, System.Environment.ProcessorCount, Math.Round(memory, 1), RuntimeInformation.OSDescription,
            ".NET " + System.Environment.Version, storage, DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
    }

    /// <summary>The account (or Azurite) a connection string names, never its key.</summary>
    private static string StorageName(string connection)
    {
        foreach (string part in connection.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("AccountName=", StringComparison.OrdinalIgnoreCase))
            {
                return "account " + part["AccountName=".Length..];
            }
        }
        return "an account (name not in the connection string)";
    }
}

/// <summary>The study's NFs as chain files: each NF alone with the sample rules, and the sample chain.</summary>
public static class StudyNfChains
{
    public static IReadOnlyDictionary<string, string> Write(string samplesRoot, string folder)
    {
        string rules = Path.Combine(samplesRoot, "rules");
        string counter = Write(folder, "counter", new { name = "counter", stages = new object[] { new { name = "counter", type = "counter" } } });
        string firewall = Write(folder, "firewall", new
        {
            name = "firewall",
            variables = new Dictionary<string, string> { ["HOME_NET"] = "[10.0.0.0/8,fd00::/8]" },
            stages = new object[] { new { name = "firewall", type = "firewall", rules = Path.Combine(rules, "firewall.rules"), config = new { defaultPolicy = "deny" } } },
        });
        string ids = Write(folder, "ids", new
        {
            name = "ids",
            variables = new Dictionary<string, string> { ["HOME_NET"] = "[127.0.0.0/8,10.0.0.0/8,fd00::/8]", ["EXTERNAL_NET"] = "any", ["HTTP_PORTS"] = "[80,8080,18080]" },
            stages = new object[] { new { name = "ids", type = "ids", rules = Path.Combine(rules, "ids.rules"), config = new { pcreTimeoutMs = 100 } } },
        });
        return new Dictionary<string, string>
        {
            ["counter"] = counter,
            ["firewall"] = firewall,
            ["ids"] = ids,
            ["chain"] = Path.Combine(samplesRoot, "chains", "full.json"),
        };
    }

    private static string Write(string folder, string name, object chain)
    {
        string path = Path.Combine(folder, $"study-{name}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(chain));
        return path;
    }
}
