using System.ComponentModel;
using System.Diagnostics;
using AzNf.NetworkFunctions.Chain;
using AzNf.Generators;
using AzNf.Packets.Parsing;
using AzNf.Study;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary>
/// <c>aznf bench</c>: packets/s and Gbps per NF and for the fused chain, on one partition (one
/// core, parse + chain) and on every core (one partition per thread, flows split between them).
/// BenchmarkDotNet (bench/) gives the careful per-packet numbers; this is the quick summary.
/// </summary>
internal sealed class BenchCommand : Command<BenchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--seconds <S>")]
        [Description("Measuring time per case (default 2).")]
        public double Seconds { get; init; } = 2;

        [CommandOption("--sizes <LIST>")]
        [Description("Frame sizes in bytes (default 64,512,1500).")]
        public string Sizes { get; init; } = "64,512,1500";

        [CommandOption("--chains <LIST>")]
        [Description("Chains to measure (default: all of counter, firewall-100, ratelimit, ids-10, ids-100, ids-1000, full).")]
        public string Chains { get; init; } = string.Join(",", BenchmarkChains.Names);

        [CommandOption("--flows <N>")]
        [Description("Live flows (default 100000).")]
        public int Flows { get; init; } = 100_000;

        [CommandOption("--emit <DIR>")]
        [Description("Only write the benchmark chain and rule files into DIR (for peer runs, e.g. scripts/bench-peer.sh).")]
        public string? Emit { get; init; }

        [CommandOption("--threads <N>")]
        [Description("Threads for the all-cores case (default: core count).")]
        public int Threads { get; init; } = Environment.ProcessorCount;

        public override ValidationResult Validate() =>
            Seconds is <= 0 or > 600 ? ValidationResult.Error("--seconds must be in (0, 600]")
            : Flows is < 1 or > 10_000_000 ? ValidationResult.Error("--flows must be 1..10000000")
            : Threads is < 1 or > 256 ? ValidationResult.Error("--threads must be 1..256")
            : ValidationResult.Success();
    }

    private sealed record Measurement(double PacketsPerSecond, double AllocatedBytesPerPacket);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (settings.Emit is { } emit)
        {
            foreach (string name in BenchmarkChains.Names)
            {
                BenchmarkChains.Create(name, emit);
            }
            AnsiConsole.MarkupLine($"wrote {BenchmarkChains.Names.Length} benchmark chains to {Markup.Escape(emit)}");
            return ExitCodes.Ok;
        }
        int[] sizes = settings.Sizes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        string[] chains = settings.Chains.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string folder = Path.Combine(Path.GetTempPath(), "aznf-bench-" + Environment.ProcessId);
        var table = new Table().AddColumns("chain", "frame B", "1 core Mpps", "1 core Gbps", $"{settings.Threads} threads Mpps", $"{settings.Threads} threads Gbps", "alloc B/pkt");
        AnsiConsole.MarkupLine($"[grey]{Environment.ProcessorCount} cores, {settings.Flows:N0} flows, {settings.Seconds} s per case, .NET {Environment.Version}[/]");
        try
        {
            foreach (int size in sizes)
            {
                var shares = Enumerable.Range(0, settings.Threads)
                    .Select(t => BenchmarkTraffic.Create(size, Math.Max(1, settings.Flows / settings.Threads), dataPerFlow: 2, seed: t + 1))
                    .ToArray();
                var whole = BenchmarkTraffic.Create(size, settings.Flows, dataPerFlow: 2);
                foreach (string name in chains)
                {
                    var chain = BenchmarkChains.Create(name, folder);
                    var one = MeasureOne(chain, whole, settings.Seconds);
                    double all = MeasureAll(chain, shares, settings.Seconds);
                    table.AddRow(name, size.ToString(), Mpps(one.PacketsPerSecond), Gbps(one.PacketsPerSecond, size), Mpps(all), Gbps(all, size), one.AllocatedBytesPerPacket.ToString("0.00"));
                }
            }
            AnsiConsole.Write(table);
            string memoryChain = chains.Contains("full") ? "full" : chains[0];
            foreach (string name in new[] { "counter", memoryChain }.Distinct())
            {
                AnsiConsole.MarkupLine($"memory: [bold]{FlowMemory.BytesPerFlow(BenchmarkChains.Create(name, folder, flowCapacity: 100_000), 100_000):N0}[/] bytes per live flow ({name} chain, 100,000 TCP flows with data, table capacity 100,000)");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return ExitCodes.Ok;
    }

    private static string Mpps(double pps) => (pps / 1e6).ToString("0.00");

    private static string Gbps(double pps, int size) => (pps * size * 8 / 1e9).ToString("0.00");

    private static Measurement MeasureOne(ChainDefinition chain, BenchmarkTraffic traffic, double seconds)
    {
        var partition = new ChainPartition(chain, 0);
        traffic.Rewind();
        FrameReplay.Replay(partition, traffic.Handshakes);
        FrameReplay.Replay(partition, traffic.Data); // warm up: JIT, pools, flow table at size
        long packets = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var measured = TimeSpan.Zero;
        while (measured.TotalSeconds < seconds)
        {
            traffic.AdvanceSequences();
            clock.Restart();
            FrameReplay.Replay(partition, traffic.Data);
            measured += clock.Elapsed;
            packets += traffic.Data.Count;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return new Measurement(packets / measured.TotalSeconds, (double)allocated / packets);
    }

    private static double MeasureAll(ChainDefinition chain, BenchmarkTraffic[] shares, double seconds)
    {
        var partitions = shares.Select((s, i) => new ChainPartition(chain, i, partitionCount: shares.Length)).ToArray();
        for (int i = 0; i < shares.Length; i++)
        {
            shares[i].Rewind();
            FrameReplay.Replay(partitions[i], shares[i].Handshakes);
            FrameReplay.Replay(partitions[i], shares[i].Data);
        }
        var counts = new long[shares.Length];
        using var start = new Barrier(shares.Length + 1);
        var threads = shares.Select((share, i) => new Thread(() =>
        {
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                share.AdvanceSequences();
                FrameReplay.Replay(partitions[i], share.Data);
                counts[i] += share.Data.Count;
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }
        start.SignalAndWait();
        var wall = Stopwatch.StartNew();
        foreach (var thread in threads)
        {
            thread.Join();
        }
        return counts.Sum() / wall.Elapsed.TotalSeconds;
    }
}
