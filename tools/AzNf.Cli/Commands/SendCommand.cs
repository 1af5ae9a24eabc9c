using System.ComponentModel;
using System.Globalization;
using System.Net.Sockets;
using Azure.Identity;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using AzNf.Ingest.Producer;
using AzNf.Packets.Capture;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary><c>aznf send</c>: replays a capture into an event hub as flow-keyed packet events.</summary>
internal sealed class SendCommand : AsyncCommand<SendCommand.Settings>
{
    internal sealed class Settings : CaptureInputSettings
    {
        [CommandOption("--namespace <NS>")]
        [Description("Event Hubs namespace (NS.servicebus.windows.net, or NS alone); signs in with DefaultAzureCredential.")]
        public string? Namespace { get; init; }

        [CommandOption("--hub <NAME>")]
        [Description("Event hub name.")]
        public string? Hub { get; init; }

        [CommandOption("--connection-string-env <VAR>")]
        [Description("Take a connection string from this environment variable instead of signing in (never printed).")]
        public string? ConnectionStringEnv { get; init; }

        [CommandOption("--flowlet <N>")]
        [Description("Pack up to N packets of one flow into one event (default 1, at most 1024).")]
        public int Flowlet { get; init; } = 1;

        [CommandOption("--rate <RATE>")]
        [Description("max (default), <N>pps, <N>Mbps (k/M/G), or <N>x of capture speed (1x replays at capture speed).")]
        public string Rate { get; init; } = "max";

        [CommandOption("--concurrency <N>")]
        [Description("Batches sent at once (default 8).")]
        public int Concurrency { get; init; } = 8;

        [CommandOption("--dry-run")]
        [Description("Send nothing: show how the capture's flows spread over --partitions partitions.")]
        public bool DryRun { get; init; }

        [CommandOption("-p|--partitions <N>")]
        [Description("Partitions for --dry-run (default 4).")]
        public int Partitions { get; init; } = 4;

        [CommandOption("-q|--quiet")]
        [Description("No progress bar or summary table.")]
        public bool Quiet { get; init; }

        public override ValidationResult Validate()
        {
            if (ValidateInput() is { Successful: false } input)
            {
                return input;
            }
            if (Flowlet is < 1 or > 1024)
            {
                return ValidationResult.Error("--flowlet must be 1..1024");
            }
            if (Concurrency is < 1 or > 256)
            {
                return ValidationResult.Error("--concurrency must be 1..256");
            }
            if (Partitions is < 1 or > 1024)
            {
                return ValidationResult.Error("--partitions must be 1..1024");
            }
            try
            {
                SendRate.Parse(Rate);
            }
            catch (FormatException e)
            {
                return ValidationResult.Error($"--rate: {e.Message}");
            }
            if (DryRun)
            {
                return ValidationResult.Success();
            }
            if (string.IsNullOrWhiteSpace(Namespace) == string.IsNullOrWhiteSpace(ConnectionStringEnv))
            {
                return ValidationResult.Error("give either --namespace NS (signs in with DefaultAzureCredential) or --connection-string-env VAR, not both");
            }
            if (string.IsNullOrWhiteSpace(Hub))
            {
                return ValidationResult.Error("--hub NAME is required (unless --dry-run)");
            }
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        if (CaptureInput.Open(settings, new CaptureReaderOptions(), cancellation, out var input) is var code && code != ExitCodes.Ok)
        {
            return code;
        }
        using (input)
        {
            return settings.DryRun
                ? DryRun(input!.Reader, settings)
                : await SendAsync(input!.Reader, settings, cancellation);
        }
    }

    private static int DryRun(CaptureReader capture, Settings settings)
    {
        var spread = FlowSpread.Measure(capture, settings.Partitions);
        long packets = spread.Packets.Sum();
        var table = new Table()
            .Title($"{Markup.Escape(Path.GetFileName(capture.Name))}: {spread.TotalFlows:N0} flows over {settings.Partitions} partitions (flow-key hash, as the local log maps them)")
            .AddColumns("partition", "flows", "packets", "bytes", "share of packets");
        for (int p = 0; p < settings.Partitions; p++)
        {
            double share = packets == 0 ? 0 : (double)spread.Packets[p] / packets;
            table.AddRow(
                p.ToString(CultureInfo.InvariantCulture),
                spread.Flows[p].ToString("N0", CultureInfo.InvariantCulture),
                spread.Packets[p].ToString("N0", CultureInfo.InvariantCulture),
                spread.Bytes[p].ToString("N0", CultureInfo.InvariantCulture),
                share.ToString("P1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"unparsed frames (no flow key; a hub spreads them round-robin): {spread.Unparsed:N0}");
        AnsiConsole.WriteLine("A hub hashes each partition key itself, so its per-partition numbers differ; each flow still lands whole on one partition.");
        return ExitCodes.Ok;
    }

    private static async Task<int> SendAsync(CaptureReader capture, Settings settings, CancellationToken cancellation)
    {
        string hub = settings.Hub!;
        string target;
        EventHubProducerClient client;
        var clientOptions = new EventHubProducerClientOptions
        {
            // Few, short retries: a namespace that does not resolve or a refused credential should
            // say so within seconds, not after the SDK's default minutes of back-off.
            RetryOptions = new EventHubsRetryOptions { MaximumRetries = 2, TryTimeout = TimeSpan.FromSeconds(20) },
        };
        if (settings.ConnectionStringEnv is { } variable)
        {
            string? connectionString = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                Console.Error.WriteLine($"error: environment variable {variable} is not set or empty (it should hold the Event Hubs connection string)");
                return ExitCodes.Usage;
            }
            try
            {
                client = new EventHubProducerClient(connectionString, hub, clientOptions);
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                // The SDK's message could quote the string; name the variable instead.
                Console.Error.WriteLine($"error: the connection string in {variable} is not a usable Event Hubs connection string ({e.GetType().Name}; if it names an EntityPath, it must be '{hub}')");
                return ExitCodes.Usage;
            }
            target = $"{client.FullyQualifiedNamespace}/{hub}";
        }
        else
        {
            string ns = settings.Namespace!.Contains('.', StringComparison.Ordinal) ? settings.Namespace : settings.Namespace + ".servicebus.windows.net";
            try
            {
                client = new EventHubProducerClient(ns, hub, new DefaultAzureCredential(), clientOptions);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: --namespace '{ns}' is not a valid Event Hubs namespace: {e.Message}");
                return ExitCodes.Usage;
            }
            target = $"{ns}/{hub}";
        }

        var options = new PacketProducerOptions
        {
            Flowlet = settings.Flowlet,
            Rate = SendRate.Parse(settings.Rate),
            MaxConcurrentSends = settings.Concurrency,
        };
        await using (client)
        {
            var producer = new PacketEventProducer(client, options);
            var started = System.Diagnostics.Stopwatch.StartNew();
            SendSummary summary;
            try
            {
                summary = settings.Quiet || capture.Length is null or 0 || !AnsiConsole.Profile.Capabilities.Interactive
                    ? await producer.SendAsync(capture, cancellation: cancellation)
                    : await SendWithProgressAsync(producer, capture, cancellation);
            }
            catch (Exception e) when (Explain(e, target) is { } failure)
            {
                Console.Error.WriteLine($"error: {failure.Message}");
                return failure.ExitCode;
            }
            foreach (var (code, count) in capture.Warnings.Counts)
            {
                Console.Error.WriteLine($"warning: {capture.Name}: {code} ×{count}");
            }
            foreach (string reason in summary.Rejected.Take(10))
            {
                Console.Error.WriteLine($"warning: rejected {reason}");
            }
            if (!settings.Quiet)
            {
                WriteSummary(summary, target, options, started.Elapsed);
            }
            if (summary.Interrupted)
            {
                Console.Error.WriteLine($"interrupted: stopped reading after {summary.PacketsRead.ToString("N0", CultureInfo.InvariantCulture)} packets of {Path.GetFileName(capture.Name)}; every packet read was sent ({summary.PacketsSent.ToString("N0", CultureInfo.InvariantCulture)}) or rejected ({summary.PacketsRejected.ToString("N0", CultureInfo.InvariantCulture)})");
                return ExitCodes.Interrupted;
            }
        }
        return ExitCodes.Ok;
    }

    private static async Task<SendSummary> SendWithProgressAsync(PacketEventProducer producer, CaptureReader capture, CancellationToken cancellation) =>
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Path.GetFileName(capture.Name), maxValue: capture.Length!.Value);
                return await producer.SendAsync(capture, position => task.Value = position, cancellation);
            });

    /// <summary>What went wrong talking to the hub, in words that name the thing to fix; null for bugs.</summary>
    internal static (string Message, int ExitCode)? Explain(Exception e, string target) => e switch
    {
        AuthenticationFailedException or CredentialUnavailableException =>
            ($"no usable Azure credential for {target}: {e.Message.Split('\n')[0]} (sign in with 'az login', or use --connection-string-env)", ExitCodes.NoPermission),
        UnauthorizedAccessException =>
            ($"not authorized to send to {target}: the identity needs the 'Azure Event Hubs Data Sender' role, or the connection string's policy needs the Send claim", ExitCodes.NoPermission),
        EventHubsException { Reason: EventHubsException.FailureReason.ResourceNotFound } =>
            ($"{target}: the event hub does not exist in that namespace", ExitCodes.Unavailable),
        EventHubsException { Reason: EventHubsException.FailureReason.ServiceCommunicationProblem or EventHubsException.FailureReason.ServiceTimeout } or SocketException or TimeoutException =>
            ($"{target}: the namespace cannot be reached (does the name resolve? is AMQP on port 5671 open?): {e.Message.Split('\n')[0]}", ExitCodes.Unavailable),
        EventHubsException { Reason: EventHubsException.FailureReason.QuotaExceeded or EventHubsException.FailureReason.ServiceBusy } =>
            ($"{target}: the hub refused more events (quota or throughput units): {e.Message.Split('\n')[0]}", ExitCodes.Unavailable),
        EventHubsException hubs =>
            ($"{target}: {hubs.Reason}: {e.Message.Split('\n')[0]}", ExitCodes.Unavailable),
        _ => null,
    };

    private static void WriteSummary(SendSummary summary, string target, PacketProducerOptions options, TimeSpan elapsed)
    {
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var table = new Table().Title($"sent to {Markup.Escape(target)} (flowlet {options.Flowlet}, rate {Markup.Escape(options.Rate.ToString())})").AddColumns("", "count");
        table.AddRow("packets read", summary.PacketsRead.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("packets sent", summary.PacketsSent.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("packets rejected", summary.PacketsRejected.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("unparsed (sent without key)", summary.UnparsedPackets.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("events", summary.Events.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("batches", summary.Batches.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("body bytes", summary.BodyBytes.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("packets/s", (summary.PacketsSent / seconds).ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
    }
}
