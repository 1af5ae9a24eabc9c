using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using AzNf.Azurite;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary>
/// <c>aznf bench-storage</c>: what the storage service under the durable path can do, per request
/// kind, with the .NET clients the durable path uses: requests/s, MB/s and — on the private
/// Azurite — the storage process's CPU time per request and per MB. It gives the ceiling every
/// durable-path choice is judged against (docs/PERFORMANCE.md).
/// </summary>
internal sealed class StorageBenchCommand : AsyncCommand<StorageBenchCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--seconds <S>")]
        [Description("Measuring time per request kind (default 3).")]
        public double Seconds { get; init; } = 3;

        [CommandOption("--in-flight <N>")]
        [Description("Requests in flight at once (default 16).")]
        public int InFlight { get; init; } = 16;

        public override ValidationResult Validate() =>
            Seconds is <= 0 or > 600 ? ValidationResult.Error("--seconds must be in (0, 600]")
            : InFlight is < 1 or > 256 ? ValidationResult.Error("--in-flight must be 1..256")
            : ValidationResult.Success();
    }

    /// <summary>One request kind: its name, payload bytes per request, and one request (given a running index).</summary>
    private sealed record Case(string Name, long BytesPerRequest, Func<long, CancellationToken, Task> Request, int? InFlight = null);

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        string? connection = Environment.GetEnvironmentVariable(DurableRun.StorageVariable);
        AzuriteServer? azurite = null;
        try
        {
            if (string.IsNullOrWhiteSpace(connection))
            {
                azurite = await AzuriteServer.StartAsync(new AzuriteOptions(), cancellation);
                connection = azurite.ConnectionString;
            }
            string run = "bench" + DateTime.UtcNow.ToString("HHmmssfff", CultureInfo.InvariantCulture);
            var queue = new QueueClient(connection, run + "-q");
            var table = new TableClient(connection, run + "t");
            var container = new BlobContainerClient(connection, run + "-b");
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellation);
            await table.CreateIfNotExistsAsync(cancellation);
            await container.CreateIfNotExistsAsync(cancellationToken: cancellation);

            string kilobyte = new('k', 1024);
            string message = new('m', 1024);
            var small = new TableEntity("p", "") { ["Data"] = kilobyte };
            byte[] thirtyKb = new byte[30 * 1024];
            byte[] oneMb = RandomBytes(1 << 20);
            byte[] thirtyTwoMb = RandomBytes(32 << 20);
            // The reads need something to read: rows, blobs and a backlog of messages written first.
            for (int i = 0; i < 100; i++)
            {
                await table.UpsertEntityAsync(new TableEntity("p", Row(i)) { ["Data"] = kilobyte }, TableUpdateMode.Replace, cancellation);
            }
            await container.GetBlobClient("one").UploadAsync(BinaryData.FromBytes(oneMb), overwrite: true, cancellation);
            await container.GetBlobClient("big").UploadAsync(BinaryData.FromBytes(thirtyTwoMb), overwrite: true, cancellation);

            var cases = new List<Case>
            {
                new("queue put 1 KB", 1024, (_, c) => queue.SendMessageAsync(message, c)),
                new("queue get + delete, 1 at a time", 1024, async (_, c) =>
                {
                    var got = await queue.ReceiveMessageAsync(cancellationToken: c);
                    if (got.Value is { } m)
                    {
                        await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, c);
                    }
                }),
                new("queue get 32 (+ 32 deletes)", 32 * 1024, async (_, c) =>
                {
                    var got = await queue.ReceiveMessagesAsync(32, cancellationToken: c);
                    foreach (var m in got.Value)
                    {
                        await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt, c);
                    }
                }),
                new("table upsert 1 KB", 1024, (i, c) => table.UpsertEntityAsync(new TableEntity("u", Row(i)) { ["Data"] = kilobyte }, TableUpdateMode.Replace, c)),
                new("table upsert 30 KB", 30 * 1024, (i, c) => table.UpsertEntityAsync(new TableEntity("w", Row(i % 1000)) { ["Data"] = thirtyKb }, TableUpdateMode.Replace, c)),
                new("table point read 1 KB", 1024, (i, c) => table.GetEntityAsync<TableEntity>("p", Row(i % 100), cancellationToken: c)),
                new("table partition query, 100 rows", 100 * 1024, async (_, c) =>
                {
                    await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == "p", cancellationToken: c))
                    {
                    }
                }),
                new("blob put 1 MB", 1 << 20, (i, c) => container.GetBlobClient(Row(i % 64)).UploadAsync(BinaryData.FromBytes(oneMb), overwrite: true, c)),
                new("blob get 1 MB", 1 << 20, (_, c) => container.GetBlobClient("one").DownloadContentAsync(c)),
                // The durable path's own pattern: one Put Blob per 32 MB batch, range reads of 8 MB slices.
                new("blob put 32 MB (a batch)", 32 << 20, (i, c) => container.GetBlobClient("batch" + (i % 4)).UploadAsync(
                    BinaryData.FromBytes(thirtyTwoMb),
                    new BlobUploadOptions { TransferOptions = new Azure.Storage.StorageTransferOptions { InitialTransferSize = int.MaxValue, MaximumTransferSize = int.MaxValue, MaximumConcurrency = 1 } },
                    c), InFlight: 2),
                new("blob range get 8 MB (a slice)", 8 << 20, (i, c) => container.GetBlobClient("big").DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange((i % 4) * (8L << 20), 8 << 20) }, c), InFlight: 4),
                new("blob range get 8 MB, streamed into its buffer", 8 << 20, async (i, c) =>
                {
                    var response = await container.GetBlobClient("big").DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange((i % 4) * (8L << 20), 8 << 20) }, c);
                    using var content = response.Value.Content;
                    await content.ReadExactlyAsync(new byte[8 << 20], c);
                }, InFlight: 4),
            };

            var output = new Table().AddColumns("request", "in flight", "requests/s", "MB/s", "storage CPU ms/request", "storage CPU ms/MB", "client CPU ms/request");
            AnsiConsole.MarkupLine(Markup.Escape($"{Environment.ProcessorCount} cores, {settings.Seconds} s per request kind, " + (azurite is null ? $"storage from {DurableRun.StorageVariable} (its CPU is not measured)" : $"private Azurite {AzuriteOptions.PinnedVersion} (in memory), pid {azurite.ProcessId}")));
            foreach (var kind in cases)
            {
                int inFlight = Math.Min(kind.InFlight ?? settings.InFlight, settings.InFlight);
                // The get cases need a backlog that outlasts them.
                if (kind.Name.StartsWith("queue get", StringComparison.Ordinal))
                {
                    await Measure(new Case("fill", 0, (_, c) => queue.SendMessageAsync(message, c)), inFlight, settings.Seconds * 2, azurite, cancellation);
                }
                var m = await Measure(kind, inFlight, settings.Seconds, azurite, cancellation);
                double megabytes = m.Requests * kind.BytesPerRequest / 1e6;
                output.AddRow(
                    kind.Name,
                    inFlight.ToString(CultureInfo.InvariantCulture),
                    (m.Requests / m.Seconds).ToString("N0", CultureInfo.InvariantCulture),
                    (megabytes / m.Seconds).ToString("N1", CultureInfo.InvariantCulture),
                    m.StorageCpuSeconds is { } s ? (s * 1000 / m.Requests).ToString("N2", CultureInfo.InvariantCulture) : "-",
                    m.StorageCpuSeconds is { } t && kind.BytesPerRequest >= 1 << 20 ? (t * 1000 / megabytes).ToString("N2", CultureInfo.InvariantCulture) : "-",
                    (m.ClientCpuSeconds * 1000 / m.Requests).ToString("N2", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(output);
            await container.DeleteIfExistsAsync(cancellationToken: cancellation);
            await table.DeleteAsync(cancellation);
            await queue.DeleteIfExistsAsync(cancellation);
            return ExitCodes.Ok;
        }
        catch (AzuriteException e)
        {
            Console.Error.WriteLine($"error: bench-storage: {e.Message}");
            return ExitCodes.Unavailable;
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or FormatException or ArgumentException)
        {
            Console.Error.WriteLine($"error: bench-storage: {(azurite is null ? $"the storage in {DurableRun.StorageVariable}" : "the private Azurite")}: {e.Message.Split('\n')[0]}");
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

    private sealed record Measurement(long Requests, double Seconds, double? StorageCpuSeconds, double ClientCpuSeconds);

    /// <summary>Keeps <paramref name="inFlight"/> requests going for <paramref name="seconds"/>; counts them and the CPU both sides spent.</summary>
    private static async Task<Measurement> Measure(Case kind, int inFlight, double seconds, AzuriteServer? azurite, CancellationToken cancellation)
    {
        long next = 0;
        long done = 0;
        var clock = Stopwatch.StartNew();
        double? storageBefore = azurite is null ? null : CpuSeconds(azurite.ProcessId);
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var until = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            while (clock.Elapsed < until)
            {
                await kind.Request(Interlocked.Increment(ref next), cancellation);
                Interlocked.Increment(ref done);
            }
        }));
        double elapsed = clock.Elapsed.TotalSeconds;
        double? storage = azurite is null ? null : CpuSeconds(azurite.ProcessId) - storageBefore;
        double client = (Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalSeconds;
        return new Measurement(Math.Max(1, done), elapsed, storage, client);
    }

    /// <summary>User plus system CPU time of a process, from /proc (Linux); NaN elsewhere.</summary>
    private static double CpuSeconds(int pid)
    {
        string path = $"/proc/{pid}/stat";
        if (!File.Exists(path))
        {
            return double.NaN;
        }
        // Fields after the command name (which may hold spaces) start after its closing parenthesis.
        string stat = File.ReadAllText(path);
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0;
    }

    private static string Row(long i) => i.ToString("D8", CultureInfo.InvariantCulture);

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }
}
