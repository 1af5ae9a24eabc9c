using System.Globalization;

namespace AzNf.Study;

/// <summary>
/// One cell of the study's matrix: an NF (or the chain) on a runtime at a granularity and mode.
/// The embedded runtime's unit is the local log's batch, run fused.
/// </summary>
public sealed record StudyCell(string Nf, string Runtime, string Granularity, string Mode)
{
    public const string Embedded = "embedded";
    public const string Durable = "durable";

    public string Name => Runtime == Embedded ? $"embedded {Nf}" : $"durable {Nf} {Granularity}/{Mode}";
}

/// <summary>
/// What a study runs: the cells, how often each, the captures' sizes and the scaling sweeps.
/// <see cref="Quick"/> is small enough for the test suite; <see cref="Full"/> is what
/// docs/PERFORMANCE.md quotes. Every cell listed is run and filled.
/// </summary>
public sealed record StudyPlan
{
    /// <summary>The NFs of the study, plus the chain of all three (samples/chains/full.json).</summary>
    public static IReadOnlyList<string> Nfs { get; } = ["counter", "firewall", "ids", "chain"];

    public static IReadOnlyList<string> Granularities { get; } = ["packet", "flow", "flowlet", "batch"];

    public required bool IsQuick { get; init; }

    public required IReadOnlyList<StudyCell> Cells { get; init; }

    /// <summary>Measured runs per embedded cell (after one unmeasured warm-up run).</summary>
    public required int Repeat { get; init; }

    /// <summary>Measured runs per durable cell.</summary>
    public required int DurableRepeat { get; init; }

    /// <summary>Flows in the generated capture of the embedded cells and the durable batch cells (when no capture is given).</summary>
    public required int Flows { get; init; }

    /// <summary>Flows in the generated capture of the durable packet, flowlet and flow cells (when no capture is given).</summary>
    public required int DurableFlows { get; init; }

    /// <summary>Partitions of every cell but the partition sweep.</summary>
    public required int Partitions { get; init; }

    /// <summary>The partition sweep: the chain on the embedded runtime at each count.</summary>
    public required IReadOnlyList<int> PartitionCounts { get; init; }

    /// <summary>The packet-size sweep: the chain on the embedded runtime over fixed-size TCP traffic of each frame size.</summary>
    public required IReadOnlyList<int> PacketSizes { get; init; }

    /// <summary>Flows in each packet-size capture (each: handshake, then 20 data frames).</summary>
    public required int SizeFlows { get; init; }

    /// <summary>Live flows for the memory-per-flow measurement.</summary>
    public required int MemoryFlows { get; init; }

    public static StudyPlan Quick(IReadOnlyCollection<string> runtimes)
    {
        ArgumentNullException.ThrowIfNull(runtimes);
        var cells = new List<StudyCell>();
        if (runtimes.Contains(StudyCell.Embedded))
        {
            cells.AddRange(Nfs.Select(nf => new StudyCell(nf, StudyCell.Embedded, "batch", "fused")));
        }
        if (runtimes.Contains(StudyCell.Durable))
        {
            cells.AddRange(Granularities.Select(g => new StudyCell("chain", StudyCell.Durable, g, "fused")));
            cells.Add(new StudyCell("chain", StudyCell.Durable, "batch", "staged"));
        }
        return new StudyPlan
        {
            IsQuick = true,
            Cells = cells,
            Repeat = 3,
            DurableRepeat = 1,
            Flows = 400,
            DurableFlows = 8,
            Partitions = 2,
            PartitionCounts = runtimes.Contains(StudyCell.Embedded) ? [1, 2] : [],
            PacketSizes = runtimes.Contains(StudyCell.Embedded) ? [64, 1500] : [],
            SizeFlows = 100,
            MemoryFlows = 2_000,
        };
    }

    public static StudyPlan Full(IReadOnlyCollection<string> runtimes)
    {
        ArgumentNullException.ThrowIfNull(runtimes);
        var cells = new List<StudyCell>();
        if (runtimes.Contains(StudyCell.Embedded))
        {
            cells.AddRange(Nfs.Select(nf => new StudyCell(nf, StudyCell.Embedded, "batch", "fused")));
        }
        if (runtimes.Contains(StudyCell.Durable))
        {
            // Every NF at every granularity; staged differs from fused only with more than one
            // stage, so the single NFs run fused and the chain both ways.
            foreach (string nf in Nfs.Where(nf => nf != "chain"))
            {
                cells.AddRange(Granularities.Select(g => new StudyCell(nf, StudyCell.Durable, g, "fused")));
            }
            foreach (string mode in new[] { "fused", "staged" })
            {
                cells.AddRange(Granularities.Select(g => new StudyCell("chain", StudyCell.Durable, g, mode)));
            }
        }
        int cores = Environment.ProcessorCount;
        var counts = new List<int>();
        for (int p = 1; p < cores; p *= 2)
        {
            counts.Add(p);
        }
        counts.Add(cores);
        return new StudyPlan
        {
            IsQuick = false,
            Cells = cells,
            Repeat = 5,
            DurableRepeat = 3,
            // About a million packets: an embedded run takes long enough (~1 s) that thread start
            // and the first reads do not dominate it.
            Flows = 100_000,
            DurableFlows = 20,
            Partitions = cores,
            PartitionCounts = runtimes.Contains(StudyCell.Embedded) ? counts : [],
            PacketSizes = runtimes.Contains(StudyCell.Embedded) ? [64, 128, 256, 512, 1024, 1500] : [],
            SizeFlows = 2_000,
            MemoryFlows = 100_000,
        };
    }

    /// <summary>One line per thing the study will run, for the output and the report.</summary>
    public IEnumerable<string> Describe()
    {
        var c = CultureInfo.InvariantCulture;
        foreach (var cell in Cells)
        {
            int n = cell.Runtime == StudyCell.Embedded ? Repeat : DurableRepeat;
            int flows = cell.Runtime == StudyCell.Durable && cell.Granularity != "batch" ? DurableFlows : Flows;
            yield return string.Create(c, $"{cell.Name}: {n} run{(n == 1 ? "" : "s")}, {Partitions} partitions, {flows} flows");
        }
        if (PartitionCounts.Count > 0)
        {
            yield return string.Create(c, $"embedded chain vs partitions {string.Join(", ", PartitionCounts)}: {Repeat} runs each");
        }
        if (PacketSizes.Count > 0)
        {
            yield return string.Create(c, $"embedded chain vs frame size {string.Join(", ", PacketSizes)} B: {Repeat} runs each, {SizeFlows} flows");
        }
        yield return string.Create(c, $"memory per flow: each NF, {MemoryFlows} live flows");
    }
}
