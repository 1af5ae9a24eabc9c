namespace AzNf.Cli.Tests;

/// <summary>A misspelt option or a stray argument is refused (exit 64, a line naming it and the closest option), never ignored.</summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("run --capture x.pcap --reprot r.json", "Unknown option 'reprot'. (did you mean --report?)")]
    [InlineData("run --capture x.pcap --partitons 4", "Unknown option 'partitons'. (did you mean --partitions?)")]
    [InlineData("gen --out x.pcap --flws 3", "Unknown option 'flws'. (did you mean --flows?)")]
    [InlineData("send --capture x.pcap --dry-rn", "Unknown option 'dry-rn'. (did you mean --dry-run?)")]
    [InlineData("rules check x.rules --lst", "Unknown option 'lst'. (did you mean --list?)")]
    [InlineData("bench --secnds 1", "Unknown option 'secnds'. (did you mean --seconds?)")]
    [InlineData("worker --task-hbu h", "Unknown option 'task-hbu'. (did you mean --task-hub?)")]
    [InlineData("run --capture x.pcap --zzzzzzzz 1", "Unknown option 'zzzzzzzz'.")]
    [InlineData("run --capture x.pcap stray", "Unknown command 'stray'")]
    public void AnyCommand_UnknownOptionOrStrayArgument_ExitsUsageNamingIt(string line, string message)
    {
        var (code, errors) = CliRunner.Aznf(line.Split(' '));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(message, errors, StringComparison.Ordinal);
        if (!message.Contains("did you mean", StringComparison.Ordinal))
        {
            Assert.DoesNotContain("did you mean", errors, StringComparison.Ordinal);
        }
    }
}
