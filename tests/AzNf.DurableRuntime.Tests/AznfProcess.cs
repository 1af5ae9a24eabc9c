using System.Diagnostics;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

/// <summary>The <c>aznf</c> command line of this build, as a child process on the fixture's Azurite.</summary>
internal static class AznfProcess
{
    /// <summary>Starts <c>aznf</c> with <paramref name="arguments"/>; each line it writes to stderr goes to <paramref name="errorLine"/>.</summary>
    public static Process Start(string storageConnectionString, IEnumerable<string> arguments, Action<string>? errorLine = null)
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        string cli = Path.Combine(OracleProcess.RepositoryRoot(), "tools", "AzNf.Cli", "bin", configuration, "net10.0", "aznf.dll");
        Assert.True(File.Exists(cli), $"{cli} is not built: build the solution first");
        var start = new ProcessStartInfo("dotnet", [cli, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AZNF_STORAGE"] = storageConnectionString;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                errorLine?.Invoke(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
