using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Azure.Data.Tables;
using AzNf.Azurite;
using AzNf.DurableRuntime;
using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.Partitions;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary>
/// <c>aznf soak</c>: feeds the durable runtime generated traffic without pause for a set time
/// (round after round of new flows, one endless capture through the local log) and samples the
/// process every few seconds: RSS, GC heap, handles, threads, the private Azurite's RSS, the task
/// hub's table rows and the throughput, into <c>soak.csv</c> and <c>soak.svg</c>. What it is for:
/// leaks and slow-downs that only time shows.
/// </summary>
internal sealed class SoakCommand : Command<SoakCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--minutes <M>")]
        [Description("How long to feed (default 30).")]
        public double Minutes { get; init; } = 30;

        [CommandOption("--out <DIR>")]
        [Description("Where soak.csv and soak.svg go (default soak).")]
        public string Out { get; init; } = "soak";

        [CommandOption("--chain <FILE>")]
        [Description("Chain file (JSON). Default: the sample full chain.")]
        public string? Chain { get; init; }

        [CommandOption("--partitions <N>")]
        [Description("Partitions of the local log (default 2).")]
        public int Partitions { get; init; } = 2;

        [CommandOption("--flows <N>")]
        [Description("New flows per round of generated traffic (default 500).")]
        public int Flows { get; init; } = 500;

        [CommandOption("--sample-seconds <S>")]
        [Description("Seconds between samples (default 10).")]
        public int SampleSeconds { get; init; } = 10;

        public override Spectre.Console.ValidationResult Validate() =>
            Minutes is <= 0 or > 24 * 60 ? Spectre.Console.ValidationResult.Error("--minutes must be more than 0 and at most 1440")
            : Partitions is < 1 or > 64 ? Spectre.Console.ValidationResult.Error("--partitions must be 1..64")
            : Flows is < 1 or > 100_000 ? Spectre.Console.ValidationResult.Error("--flows must be 1..100000")
            : SampleSeconds is < 1 or > 3600 ? Spectre.Console.ValidationResult.Error("--sample-seconds must be 1..3600")
            : Spectre.Console.ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        ExecuteAsync(settings, cancellation).GetAwaiter().GetResult();

    private static async Task<int> ExecuteAsync(Settings settings, CancellationToken cancellation)
    {
        string chainFile = settings.Chain ?? SamplePaths.FullChain;
        ChainDefinition chain;
        try
        {
            chain = ChainDefinition.Load(chainFile);
            Directory.CreateDirectory(settings.Out);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"error: soak: {settings.Out}: {e.Message}");
            return ExitCodes.CannotWriteOutput;
        }
        string? connection = Environment.GetEnvironmentVariable(DurableRun.StorageVariable);
        AzuriteServer? azurite = null;
        try
        {
            if (string.IsNullOrWhiteSpace(connection))
            {
                // On disk: in memory, Azurite frees a deleted blob's bytes only at its periodic extent
                // GC, so a soak at ~100 Mbps would grow it by gigabytes between collections.
                azurite = await AzuriteServer.StartAsync(new AzuriteOptions { InMemory = false }, cancellation);
                connection = azurite.ConnectionString;
            }
            string hub = "soak" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
            await using var host = await DurableChainRun.StartHostAsync(new DurableRuntimeOptions { StorageConnectionString = connection, TaskHubName = hub });
            await TaskHubChains.PublishRulesAsync(host, chain.Name, RuleSetText.FromChainFile(chainFile), cancellation);
            // As the Functions app's consumer: running totals only, no per-unit results kept.
            var handler = new CountingHandler(new DurableChainHandler(host, chain, new DurableChainOptions { Granularity = ChainGranularity.Batch, KeepUnitResults = false, FlowShards = chain.FlowShards, PartitionCount = settings.Partitions }));
            var until = DateTime.UtcNow + TimeSpan.FromMinutes(settings.Minutes);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);

            // One endless capture: rounds of generated traffic written into a pipe as pcap, read by the log.
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 << 20, resumeWriterThreshold: 32 << 20));
            var produce = Task.Run(() => Produce(pipe.Writer, settings.Flows, until, stop.Token), CancellationToken.None);
            using var capture = CaptureReader.Open(pipe.Reader.AsStream(), "soak");
            var log = new LocalPartitionedLog(settings.Partitions, 65_536, queueDepth: 2, batchBytes: 32 << 20);
            var feed = Task.Run(() => log.Feed(capture, handler, stopReading: stop.Token), CancellationToken.None);

            string csv = Path.Combine(settings.Out, "soak.csv");
            var samples = new List<SoakSample>();
            var clock = Stopwatch.StartNew();
            var (lastPackets, lastBytes, lastAt) = (0L, 0L, TimeSpan.Zero);
            await using (var writer = new StreamWriter(csv))
            {
                await writer.WriteLineAsync(SoakSample.Header);
                while (!feed.IsCompleted)
                {
                    await Task.WhenAny(feed, Task.Delay(TimeSpan.FromSeconds(settings.SampleSeconds), CancellationToken.None));
                    var at = clock.Elapsed;
                    var (packets, bytes) = (handler.Packets, handler.Bytes);
                    double seconds = (at - lastAt).TotalSeconds;
                    var sample = await SampleAsync(host, hub, azurite, at, packets, (packets - lastPackets) / seconds, (bytes - lastBytes) * 8 / seconds / 1e6);
                    (lastPackets, lastBytes, lastAt) = (packets, bytes, at);
                    samples.Add(sample);
                    await writer.WriteLineAsync(sample.ToCsv());
                    await writer.FlushAsync(CancellationToken.None);
                    Console.WriteLine(sample.ToLine());
                }
            }
            await produce;
            await feed;
            File.WriteAllText(Path.Combine(settings.Out, "soak.svg"), SoakChart.Svg(samples));
            Console.WriteLine(SoakSample.Verdict(samples));
            Console.WriteLine($"wrote {csv} and {Path.Combine(settings.Out, "soak.svg")}; {handler.Inner.Failures.Count} failed batches");
            foreach (string failure in handler.Inner.Failures)
            {
                await Console.Error.WriteLineAsync($"error: soak: {failure}");
            }
            return handler.Inner.Failures.Count == 0 ? ExitCodes.Ok : ExitCodes.Software;
        }
        catch (Exception e) when (e is AzuriteException or Azure.RequestFailedException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"error: soak: the storage {(azurite is null ? $"in {DurableRun.StorageVariable}" : "(private Azurite)")}: {e.Message.Split('\n')[0]}");
            return ExitCodes.Unavailable;
        }
        finally
        {
            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }
        }
    }

    /// <summary>Writes rounds of new flows (each round a new seed, its time after the last) until <paramref name="until"/>.</summary>
    private static void Produce(PipeWriter pipe, int flows, DateTime until, CancellationToken cancellation)
    {
        using var writer = new PcapWriter(pipe.AsStream(), LinkType.Ethernet, nanosecondTimestamps: true);
        long start = new SyntheticTrafficOptions().StartNanos;
        for (int round = 1; DateTime.UtcNow < until && !cancellation.IsCancellationRequested; round++)
        {
            var frames = SyntheticTraffic.Generate(new SyntheticTrafficOptions { Flows = flows, Seed = round, StartNanos = start });
            foreach (var frame in frames)
            {
                writer.Write(frame.TimestampNanos, frame.Data);
            }
            start = frames[^1].TimestampNanos + 1_000_000_000;
        }
    }

    private static async Task<SoakSample> SampleAsync(DurableRuntimeHost host, string hub, AzuriteServer? azurite, TimeSpan at, long packets, double packetsPerSecond, double mbps)
    {
        using var self = Process.GetCurrentProcess();
        return new SoakSample(
            at.TotalSeconds,
            packets,
            packetsPerSecond,
            mbps,
            self.WorkingSet64 / 1e6,
            GC.GetGCMemoryInfo().HeapSizeBytes / 1e6,
            self.HandleCount,
            self.Threads.Count,
            azurite is null ? double.NaN : ResidentMegabytes(azurite.ProcessId),
            await RowsAsync(host.Table(hub + "Instances")),
            await RowsAsync(host.Table(hub + "History")),
            host.StorageRequests.Requests);
    }

    private static async Task<long> RowsAsync(TableClient table)
    {
        long rows = 0;
        await foreach (var page in table.QueryAsync<TableEntity>(select: ["PartitionKey"], maxPerPage: 1000).AsPages())
        {
            rows += page.Values.Count;
        }
        return rows;
    }

    /// <summary>A process's resident set from /proc (Linux), MB; NaN when it cannot be read.</summary>
    private static double ResidentMegabytes(int processId)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1e3;
                }
            }
        }
        catch (IOException)
        {
        }
        return double.NaN;
    }

    /// <summary>The durable handler, counting what it handled (packets and frame bytes).</summary>
    private sealed class CountingHandler(DurableChainHandler inner) : IPartitionBatchHandler
    {
        private long _packets;
        private long _bytes;

        public DurableChainHandler Inner => inner;

        public long Packets => Interlocked.Read(ref _packets);

        public long Bytes => Interlocked.Read(ref _bytes);

        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => inner.OpenPartitionAsync(partition, cancellation);

        public async ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
        {
            await inner.HandleAsync(batch, cancellation);
            Interlocked.Add(ref _packets, batch.Count);
            long bytes = 0;
            foreach (ref readonly var packet in batch.Packets)
            {
                bytes += packet.WireLength;
            }
            Interlocked.Add(ref _bytes, bytes);
        }

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => inner.ClosePartitionAsync(partition, reason, cancellation);

        public ValueTask PrepareAsync(PartitionBatch next, CancellationToken cancellation) => inner.PrepareAsync(next, cancellation);
    }
}

/// <summary>One sample of a soak run.</summary>
internal sealed record SoakSample(
    double Seconds, long Packets, double PacketsPerSecond, double Mbps, double RssMb, double GcHeapMb, int Handles, int Threads,
    double AzuriteRssMb, long InstanceRows, long HistoryRows, long StorageRequests)
{
    public const string Header = "seconds,packets,packets_per_s,mbps,rss_mb,gc_heap_mb,handles,threads,azurite_rss_mb,instance_rows,history_rows,storage_requests";

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Seconds:F1},{Packets},{PacketsPerSecond:F0},{Mbps:F2},{RssMb:F1},{GcHeapMb:F1},{Handles},{Threads},{AzuriteRssMb:F1},{InstanceRows},{HistoryRows},{StorageRequests}");

    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Seconds,7:F0} s  {Packets,11:N0} packets  {Mbps,7:F1} Mbps  RSS {RssMb,6:F0} MB  GC heap {GcHeapMb,6:F0} MB  handles {Handles,5}  Azurite {AzuriteRssMb,6:F0} MB  hub rows {InstanceRows}/{HistoryRows}");

    /// <summary>
    /// The soak's two questions: does RSS still grow over the last two thirds of the run (slope, MB
    /// per minute, least squares), and does throughput over the last sixth stay within ±10 % of
    /// the first sixth's.
    /// </summary>
    public static string Verdict(IReadOnlyList<SoakSample> samples)
    {
        if (samples.Count < 6)
        {
            return $"soak: {samples.Count} samples, too few to judge growth (run longer or sample more often)";
        }
        var tail = samples.Skip(samples.Count / 3).ToList();
        double meanT = tail.Average(s => s.Seconds);
        double meanR = tail.Average(s => s.RssMb);
        double slope = tail.Sum(s => (s.Seconds - meanT) * (s.RssMb - meanR)) / tail.Sum(s => (s.Seconds - meanT) * (s.Seconds - meanT)) * 60;
        int sixth = samples.Count / 6;
        double first = samples.Take(sixth).Average(s => s.Mbps);
        double last = samples.Skip(samples.Count - sixth).Average(s => s.Mbps);
        return string.Create(CultureInfo.InvariantCulture,
            $"soak: RSS {samples[0].RssMb:F0} → {samples[^1].RssMb:F0} MB, growing {slope:F2} MB/min over the last two thirds (target < 1); throughput {first:F1} → {last:F1} Mbps ({(last - first) / first * 100:+0.0;-0.0} %, target within ±10 %)");
    }
}

/// <summary>The soak's chart: RSS and throughput against time, one self-contained SVG.</summary>
internal static class SoakChart
{
    public static string Svg(IReadOnlyList<SoakSample> samples)
    {
        const int width = 900, height = 420, left = 60, right = 60, top = 30, bottom = 40;
        double maxT = Math.Max(1, samples.Count == 0 ? 1 : samples[^1].Seconds);
        double maxRss = Math.Max(1, samples.Count == 0 ? 1 : samples.Max(s => s.RssMb)) * 1.1;
        double maxMbps = Math.Max(1, samples.Count == 0 ? 1 : samples.Max(s => s.Mbps)) * 1.1;
        string X(double t) => (left + (t / maxT * (width - left - right))).ToString("F1", CultureInfo.InvariantCulture);
        string Y(double v, double max) => (top + ((1 - (v / max)) * (height - top - bottom))).ToString("F1", CultureInfo.InvariantCulture);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{height - bottom}\" x2=\"{width - right}\" y2=\"{height - bottom}\" stroke=\"black\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">minutes (0 – {maxT / 60:F1})</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"8\" y=\"18\" fill=\"#c0392b\">RSS, MB (max {maxRss / 1.1:F0})</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - 8}\" y=\"18\" text-anchor=\"end\" fill=\"#2471a3\">throughput, Mbps (max {maxMbps / 1.1:F0})</text>");
        svg.Append("<polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"2\" points=\"");
        svg.AppendJoin(' ', samples.Select(s => $"{X(s.Seconds)},{Y(s.RssMb, maxRss)}"));
        svg.Append("\"/><polyline fill=\"none\" stroke=\"#2471a3\" stroke-width=\"2\" points=\"");
        svg.AppendJoin(' ', samples.Select(s => $"{X(s.Seconds)},{Y(s.Mbps, maxMbps)}"));
        svg.Append("\"/></svg>\n");
        return svg.ToString();
    }
}
