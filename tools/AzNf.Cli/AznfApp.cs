using AzNf.Cli.Commands;
using System.Runtime.InteropServices;
using Spectre.Console.Cli;

namespace AzNf.Cli;

/// <summary>The <c>aznf</c> command line, callable in-process by tests.</summary>
public static class AznfApp
{
    /// <summary>
    /// Runs the command line. The first Ctrl-C (SIGINT) or SIGTERM asks the command to stop
    /// cleanly (a run stops reading, finishes what it read and writes a report marked
    /// interrupted) and the process exits 130 or 143; a second one ends it at once.
    /// </summary>
    public static int Run(string[] args)
    {
        using var stop = new CancellationTokenSource();
        int signalled = 0;
        void OnSignal(PosixSignalContext context, int exitCode)
        {
            if (Interlocked.CompareExchange(ref signalled, exitCode, 0) == 0)
            {
                context.Cancel = true;
                Console.Error.WriteLine($"aznf: {context.Signal}: stopping cleanly (again to stop at once)");
                stop.Cancel();
            }
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, ExitCodes.Interrupted));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, ExitCodes.Terminated));
        int code = Run(args, stop.Token);
        return signalled != 0 && code is ExitCodes.Ok or ExitCodes.Interrupted ? signalled : code;
    }

    /// <summary>Runs the command line with <paramref name="cancellation"/> as its stop request (tests).</summary>
    public static int Run(string[] args, CancellationToken cancellation)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("aznf");
            config.PropagateExceptions();
            // A misspelt option or a stray argument is an error (exit 64), never silently ignored.
            config.Settings.StrictParsing = true;
            config.AddCommand<RunCommand>("run")
                .WithDescription("Run a capture through an NF chain on the embedded runtime and report flows, alerts and drops.")
                .WithExample("run", "--capture", "samples/captures/http-loopback.pcapng", "--report", "out.json");
            config.AddCommand<GenCommand>("gen")
                .WithDescription("Write a synthetic capture: TCP/UDP/ICMP flows plus attack traffic the sample rules catch.")
                .WithExample("gen", "--out", "synthetic.pcap", "--flows", "1000");
            config.AddCommand<SendCommand>("send")
                .WithDescription("Send a capture to an event hub as flow-keyed packet events (or --dry-run: show the flow spread).")
                .WithExample("send", "--capture", "samples/captures/http-loopback.pcapng", "--namespace", "myns", "--hub", "packets", "--flowlet", "8");
            config.AddCommand<WorkerCommand>("worker")
                .WithDescription("Run a durable-runtime worker on an existing task hub (AZNF_STORAGE) until stopped: more workers share the NF work.")
                .WithExample("worker", "--task-hub", "nightly1");
            config.AddBranch("rules", rules =>
            {
                rules.SetDescription("Work with IDS rule files.");
                rules.AddCommand<RulesCheckCommand>("check")
                    .WithDescription("Load Suricata rule files as the IDS would: how many load, and the rejected ones by reason with the first file:line of each.")
                    .WithExample("rules", "check", "emerging-web_server.rules", "emerging-scan.rules");
            });
            config.AddCommand<SoakCommand>("soak")
                .WithDescription("Feed the durable runtime generated traffic for a set time and sample RSS, GC heap, handles, task hub rows and throughput (soak.csv, soak.svg).")
                .WithExample("soak", "--minutes", "30", "--out", "soak");
            config.AddCommand<BenchCommand>("bench")
                .WithDescription("Measure packets/s and Gbps per NF and for the fused chain, on one core and on all cores.")
                .WithExample("bench", "--seconds", "2", "--sizes", "64,1500");
            config.AddCommand<StudyCommand>("study")
                .WithDescription("Run the 2017 Lambda study's matrix on this machine (NFs x runtimes x granularities), with a cost model: study.md, study.html, study.json and charts.")
                .WithExample("study", "--quick", "--out", "study");
            config.AddCommand<StorageBenchCommand>("bench-storage")
                .WithDescription("Measure the storage service under the durable path (AZNF_STORAGE, else a private Azurite): requests/s, MB/s and its CPU per request kind.")
                .WithExample("bench-storage", "--seconds", "3");
        });

        try
        {
            return app.Run(args, cancellation);
        }
        catch (CommandParseException e)
        {
            Console.Error.WriteLine($"error: {e.Message}{OptionSuggestion.For(args, e.Message)}");
            return ExitCodes.Usage;
        }
        catch (CommandRuntimeException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Usage;
        }
    }
}
