using AzNf.Cli.Logging;
using Microsoft.Extensions.Logging;

namespace AzNf.Cli.Tests;

public sealed class StderrLoggerFactoryTests
{
    [Fact]
    public void Log_FromTheLevelUp_OneLinePerEntryWithLevelCategoryAndTheExceptionsFirstLine()
    {
        using var written = new StringWriter();
        using var factory = new StderrLoggerFactory(LogLevel.Warning, written);
        var logger = factory.CreateLogger("DurableTask.AzureStorage");

        logger.LogInformation("lease acquired");
        logger.LogWarning("split brain detected for {Instance}\non two workers", "@flows@full:1");
        logger.LogError(new InvalidOperationException("history write failed\nsecond line"), "checkpoint failed");

        string[] lines = written.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.EndsWith(" Warning DurableTask.AzureStorage: split brain detected for @flows@full:1 on two workers", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" Error DurableTask.AzureStorage: checkpoint failed (InvalidOperationException: history write failed)", lines[1], StringComparison.Ordinal);
        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.False(logger.IsEnabled(LogLevel.None));
    }
}
