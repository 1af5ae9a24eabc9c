using System.Diagnostics;

namespace AzNf.Functions.Tests;

/// <summary>The built worker itself, started with bad settings: it must stop at once, with one line naming the setting.</summary>
public sealed class WorkerStartTests
{
    [Theory]
    [InlineData("AZNF_PARTITIONS", "0", "setting AZNF_PARTITIONS: 0 is out of range")]
    [InlineData("AZNF_CHAIN_FILE", "chains/missing.json", "setting AZNF_CHAIN_FILE: no such file")]
    [InlineData("AzureWebJobsStorage", "", "setting AzureWebJobsStorage: not set")]
    public async Task Start_BadSetting_ExitsWithConfigErrorNamingIt(string setting, string value, string message)
    {
        var start = new ProcessStartInfo("dotnet", [FunctionsOutput.File("AzNf.Functions.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = FunctionsOutput.Directory,
        };
        start.Environment["AzureWebJobsStorage"] = "UseDevelopmentStorage=true";
        start.Environment["TASKHUB_NAME"] = "aznfstart";
        start.Environment["AZNF_CHAIN_FILE"] = "chains/full.json";
        start.Environment["AZNF_PARTITIONS"] = "4";
        start.Environment[setting] = value;

        using var process = Process.Start(start)!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(78, process.ExitCode);
        Assert.StartsWith($"aznf functions: {message}", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
