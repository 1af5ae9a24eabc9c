using System.ComponentModel;
using System.Globalization;
using AzNf.LiveCapture;
using AzNf.Packets.Capture;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary>The packets a command reads: a capture file, or a live interface through libpcap.</summary>
internal abstract class CaptureInputSettings : CommandSettings
{
    [CommandOption("-c|--capture <FILE>")]
    [Description("pcap or pcapng file to read.")]
    public string Capture { get; init; } = "";

    [CommandOption("--interface <IF>")]
    [Description("Read live packets from this interface instead (libpcap; root or CAP_NET_RAW), until --duration or Ctrl-C.")]
    public string? Interface { get; init; }

    [CommandOption("--bpf <EXPR>")]
    [Description("With --interface: a BPF filter in tcpdump syntax, e.g. \"tcp port 80\".")]
    public string? Bpf { get; init; }

    [CommandOption("--duration <S>")]
    [Description("With --interface: stop capturing after S seconds.")]
    public double? Duration { get; init; }

    [CommandOption("--write <FILE>")]
    [Description("With --interface: also write every captured packet to FILE (pcap, nanosecond timestamps): exactly what was read.")]
    public string? Write { get; init; }

    /// <summary>Checks the input options; a command's own Validate calls this first.</summary>
    protected ValidationResult ValidateInput()
    {
        bool file = !string.IsNullOrWhiteSpace(Capture);
        if (file == Interface is not null)
        {
            return ValidationResult.Error(file ? "--capture and --interface exclude each other" : "--capture FILE or --interface IF is required");
        }
        if (Interface is null && (Bpf is not null || Duration is not null || Write is not null))
        {
            return ValidationResult.Error("--bpf, --duration and --write need --interface");
        }
        return Duration is <= 0 or > 31 * 86_400 ? ValidationResult.Error("--duration must be in (0, 2678400] seconds") : ValidationResult.Success();
    }
}

/// <summary>An open input: the reader, and for a live interface its capture.</summary>
internal sealed class CaptureInput : IDisposable
{
    private CaptureInput(CaptureReader reader, LivePacketSource? live, string? file)
    {
        Reader = reader;
        Live = live;
        File = file;
    }

    public CaptureReader Reader { get; }

    public LivePacketSource? Live { get; }

    /// <summary>A capture file holding what was read (the file, or a live run's --write file), or null.</summary>
    public string? File { get; }

    /// <summary>Opens the input the settings name; on failure prints one line and returns the exit code (input null).</summary>
    public static int Open(CaptureInputSettings settings, CaptureReaderOptions options, CancellationToken stop, out CaptureInput? input)
    {
        input = null;
        if (settings.Interface is not { } name)
        {
            try
            {
                input = new CaptureInput(CaptureReader.Open(settings.Capture, options), null, settings.Capture);
                return ExitCodes.Ok;
            }
            catch (CaptureFormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
        }
        LivePacketSource live;
        try
        {
            live = LivePacketSource.Start(
                new LiveCaptureOptions
                {
                    Interface = name,
                    Filter = settings.Bpf,
                    Duration = settings.Duration is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
                    WritePath = settings.Write,
                },
                stop);
        }
        catch (LiveCaptureException e)
        {
            Console.Error.WriteLine($"error: --interface: {e.Message}");
            return e.Failure switch
            {
                LiveCaptureFailure.NoPermission => ExitCodes.NoPermission,
                LiveCaptureFailure.NoSuchInterface => ExitCodes.BadInput,
                LiveCaptureFailure.BadFilter => ExitCodes.Usage,
                _ => ExitCodes.Unavailable,
            };
        }
        try
        {
            input = new CaptureInput(CaptureReader.Open(live.Stream, live.Name, options), live, settings.Write);
            return ExitCodes.Ok;
        }
        catch (CaptureFormatException e)
        {
            live.Dispose();
            Console.Error.WriteLine($"error: --interface: {e.Message}");
            return ExitCodes.Unavailable;
        }
    }

    /// <summary>Closes the input; for a live one waits for its capture to end and says what it captured.</summary>
    public void Dispose()
    {
        Reader.Dispose();
        if (Live is { } live)
        {
            live.Dispose();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{live.Name}: {live.Captured:N0} packets captured, {live.Dropped:N0} dropped by the kernel or the interface{(File is null ? "" : $"; written to {File}")}"));
            if (live.Error is { } error)
            {
                Console.Error.WriteLine($"warning: {error}");
            }
        }
    }
}
