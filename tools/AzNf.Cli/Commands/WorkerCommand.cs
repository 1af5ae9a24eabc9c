using System.ComponentModel;
using System.Globalization;
using AzNf.Cli.Logging;
using AzNf.DurableRuntime;
using Microsoft.Extensions.Logging;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary>
/// <c>aznf worker</c>: a durable-runtime worker on an existing task hub, running orchestrations and
/// entities (the NF steps) until it is stopped. Several workers share a hub through its partition
/// leases, as Functions instances do; the partition owner (an <c>aznf run</c> or the Functions app)
/// feeds it. Storage from <c>AZNF_STORAGE</c>.
/// </summary>
internal sealed class WorkerCommand : Command<WorkerCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--task-hub <NAME>")]
        [Description("Task hub to work on (letters and digits).")]
        public string TaskHub { get; init; } = "";

        [CommandOption("--control-queues <N>")]
        [Description("Control-queue partitions of the hub, 1..16 (default 2); must match every other host of the hub.")]
        public int ControlQueues { get; init; } = DurableRuntimeOptions.DefaultControlQueuePartitions;

        [CommandOption("--poll-ms <MS>")]
        [Description("Longest wait between polls of an empty queue (default 1000).")]
        public int PollMilliseconds { get; init; } = (int)DurableRuntimeOptions.DefaultMaxQueuePollingInterval.TotalMilliseconds;

        [CommandOption("--log-level <LEVEL>")]
        [Description("Lowest level of the Durable Task runtime's log lines on stderr: trace, debug, information, warning (default), error, critical, none.")]
        public LogLevel LogLevel { get; init; } = LogLevel.Warning;

        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(TaskHub))
            {
                return Spectre.Console.ValidationResult.Error("--task-hub NAME is required");
            }
            if (ControlQueues is < 1 or > 16)
            {
                return Spectre.Console.ValidationResult.Error("--control-queues must be 1..16");
            }
            return PollMilliseconds is < 1 or > 60_000
                ? Spectre.Console.ValidationResult.Error("--poll-ms must be 1..60000")
                : Spectre.Console.ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation) =>
        ExecuteAsync(settings, cancellation).GetAwaiter().GetResult();

    private static async Task<int> ExecuteAsync(Settings settings, CancellationToken cancellation)
    {
        string? connection = Environment.GetEnvironmentVariable(DurableRun.StorageVariable);
        if (string.IsNullOrWhiteSpace(connection))
        {
            await Console.Error.WriteLineAsync($"error: worker: {DurableRun.StorageVariable} is not set: a worker joins the storage of an existing task hub");
            return ExitCodes.Usage;
        }
        var options = new DurableRuntimeOptions
        {
            StorageConnectionString = connection,
            TaskHubName = settings.TaskHub,
            ControlQueuePartitions = settings.ControlQueues,
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(settings.PollMilliseconds),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: worker: {e.Message}");
            return ExitCodes.Usage;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, e =>
        {
            e.Cancel = true;
            stop.Cancel();
        });
        try
        {
            using var logging = new StderrLoggerFactory(settings.LogLevel, Console.Error);
            await using var host = await DurableChainRun.StartHostAsync(options, logging);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worker {options.WorkerId} ready on task hub {options.TaskHubName}"));
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopped: the host drains what it holds and lets its partition leases go.
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worker {options.WorkerId} stopping: {host.StorageRequests.Requests} storage requests"));
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is Azure.RequestFailedException or HttpRequestException)
        {
            await Console.Error.WriteLineAsync($"error: worker: the storage in {DurableRun.StorageVariable}: {e.Message.Split('\n')[0]}");
            return ExitCodes.Unavailable;
        }
    }
}
