using System.ComponentModel;
using AzNf.Generators;
using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AzNf.Cli.Commands;

/// <summary><c>aznf gen</c>: writes a deterministic synthetic capture.</summary>
internal sealed class GenCommand : Command<GenCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--out <FILE>")]
        [Description("pcap file to write.")]
        public string Out { get; init; } = "";

        [CommandOption("--flows <N>")]
        [Description("Number of flows (default 200).")]
        public int Flows { get; init; } = 200;

        [CommandOption("--seed <N>")]
        [Description("Random seed; the same seed gives the same capture (default 1).")]
        public int Seed { get; init; } = 1;

        [CommandOption("--attack-every <N>")]
        [Description("Every Nth flow is hostile; 0 for none (default 10).")]
        public int AttackEvery { get; init; } = 10;

        [CommandOption("--ipv6-share <X>")]
        [Description("Share of IPv6 flows, 0..1 (default 0.2).")]
        public double IPv6Share { get; init; } = 0.2;

        [CommandOption("--mss <BYTES>")]
        [Description("Largest TCP payload per segment (default 1400).")]
        public int Mss { get; init; } = 1400;

        [CommandOption("--response-bytes <BYTES>")]
        [Description("Largest HTTP response body; each flow draws 200..this (default 8000).")]
        public int ResponseBytes { get; init; } = 8000;

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out FILE is required")
            : Flows is < 1 or > 10_000_000 ? ValidationResult.Error("--flows must be 1..10000000")
            : AttackEvery < 0 ? ValidationResult.Error("--attack-every must be ≥ 0")
            : IPv6Share is < 0 or > 1 ? ValidationResult.Error("--ipv6-share must be 0..1")
            : Mss is < 1 or > 9000 ? ValidationResult.Error("--mss must be 1..9000")
            : ResponseBytes is < 201 or > 10_000_000 ? ValidationResult.Error("--response-bytes must be 201..10000000")
            : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var frames = SyntheticTraffic.Generate(new SyntheticTrafficOptions
        {
            Flows = settings.Flows,
            Seed = settings.Seed,
            AttackEvery = settings.AttackEvery,
            IPv6Share = settings.IPv6Share,
            MaxSegmentPayload = settings.Mss,
            MaxResponseBytes = settings.ResponseBytes,
        });
        try
        {
            using var writer = PcapWriter.Create(settings.Out, LinkType.Ethernet);
            foreach (var frame in frames)
            {
                writer.Write(frame.TimestampNanos, frame.Data);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {settings.Out}: cannot write the capture: {e.Message}");
            return ExitCodes.CannotWriteOutput;
        }
        AnsiConsole.MarkupLine($"wrote [bold]{frames.Count:N0}[/] packets in {settings.Flows:N0} flows to {Markup.Escape(settings.Out)}");
        return ExitCodes.Ok;
    }
}
