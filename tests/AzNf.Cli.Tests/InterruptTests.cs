using System.Diagnostics;
using AzNf.NetworkFunctions.Chain;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>A capture long enough to be running when a signal comes (120,000 flows, 436 MB), made once and deleted after.</summary>
public sealed class LongCapture : IDisposable
{
    public LongCapture()
    {
        Path = System.IO.Path.Combine(OracleProcess.TempDirectory("interrupt"), "long.pcap");
        var (code, errors) = CliRunner.Aznf("gen", "--out", Path, "--flows", "120000", "--seed", "4");
        if (code != 0)
        {
            throw new InvalidOperationException("aznf gen failed: " + errors);
        }
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}

/// <summary>Ctrl-C and SIGTERM to a running `aznf run` (a child process, as a user's shell would signal it).</summary>
public class InterruptTests(LongCapture longCapture) : IClassFixture<LongCapture>
{
    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task Run_SignalledMidway_StopsCleanlyWithAnInterruptedReport(string signal, int exitCode)
    {
        string folder = OracleProcess.TempDirectory("interrupt");
        string capture = longCapture.Path;
        string report = Path.Combine(folder, "report.json");
        string eve = Path.Combine(folder, "eve.json");
        // Through python, which puts SIGINT back to its default: a shell that runs the tests in the
        // background starts them with SIGINT ignored, and an ignored signal stays ignored across exec.
        var start = new ProcessStartInfo("python3")
        {
            ArgumentList = { "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp('dotnet', ['dotnet'] + sys.argv[1:])", typeof(AznfApp).Assembly.Location, "run", "--capture", capture, "--chain", CliRunner.Samples("chains", "full.json"), "--report", report, "--eve", eve, "--quiet", "--partitions", "1", "--batch", "64" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(process.HasExited, "the run ended before the signal: the capture is too short for this machine");
        using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        string errorText = await errors;
        await output;

        Assert.True(process.ExitCode == exitCode, $"exit {process.ExitCode}: {errorText}");
        Assert.Contains("stopping cleanly", errorText, StringComparison.Ordinal);
        var written = RunReport.ReadJson(File.ReadAllText(report));
        Assert.True(written.Input.Interrupted);
        Assert.InRange(written.Totals.Packets, 1, 1_169_490);
        Assert.Equal(written.Totals.Packets, written.Totals.Forwarded + written.Totals.Dropped);
        // The EVE file is whole: every line parses, and its final stats event counts what the report does.
        var events = EveOutputTests.ReadEvents(eve);
        var stats = events.Last(e => e.GetProperty("event_type").GetString() == "stats");
        Assert.Equal(written.Totals.Packets, stats.GetProperty("stats").GetProperty("decoder").GetProperty("pkts").GetInt64());
    }
}
