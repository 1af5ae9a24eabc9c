using System.Diagnostics;

namespace AzNf.Packets.Tests.Oracles;

/// <summary>
/// Runs a reference tool (tshark, editcap) installed by scripts/install-oracles.sh. A missing
/// tool fails the test: an oracle test that silently skips proves nothing.
/// </summary>
internal static class OracleTool
{
    public static string Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"'{tool}' is not installed ({e.Message}); run scripts/install-oracles.sh (Debian package tshark / wireshark-common).");
            throw;
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}");
            return stdout;
        }
    }

    /// <summary>A fresh temporary directory for one test's files.</summary>
    public static string TempDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "aznf-packets-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
