using System.Diagnostics;

namespace AzNf.Azurite;

/// <summary>
/// Installs the pinned Azurite npm package into a private folder when it is missing. A file
/// lock serialises installs, because test projects run in parallel processes and each may be
/// the first to need it.
/// </summary>
public static class AzuriteInstaller
{
    /// <summary>Returns the path of Azurite's entry script, installing the package first if needed.</summary>
    public static async Task<string> EnsureInstalledAsync(AzuriteOptions options, CancellationToken cancellation = default)
    {
        string entry = EntryScript(options.InstallDirectory);
        if (File.Exists(entry))
        {
            return entry;
        }
        Directory.CreateDirectory(options.InstallDirectory);
        using var installLock = await AcquireLockAsync(Path.Combine(options.InstallDirectory, ".install.lock"), options.InstallTimeout, cancellation);
        if (File.Exists(entry))
        {
            return entry;
        }
        await RunNpmInstallAsync(options, cancellation);
        if (!File.Exists(entry))
        {
            throw new AzuriteException($"npm installed azurite@{AzuriteOptions.PinnedVersion} into {options.InstallDirectory} but {entry} is missing");
        }
        return entry;
    }

    private static string EntryScript(string installDirectory) =>
        Path.Combine(installDirectory, "node_modules", "azurite", "dist", "src", "azurite.js");

    private static async Task<FileStream> AcquireLockAsync(string path, TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (deadline.Elapsed < timeout)
            {
                await Task.Delay(250, cancellation);
            }
        }
    }

    private static async Task RunNpmInstallAsync(AzuriteOptions options, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo("npm")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["install", "--prefix", options.InstallDirectory, "--no-audit", "--no-fund", "--no-save", "azurite@" + AzuriteOptions.PinnedVersion])
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new AzuriteException("npm did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new AzuriteException($"Azurite is installed with npm, which could not be run ({e.Message}); install Node.js (node and npm on PATH)", e);
        }
        using (process)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
        {
            timeout.CancelAfter(options.InstallTimeout);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new AzuriteException($"npm install azurite@{AzuriteOptions.PinnedVersion} did not finish within {options.InstallTimeout}");
            }
            if (process.ExitCode != 0)
            {
                throw new AzuriteException($"npm install azurite@{AzuriteOptions.PinnedVersion} into {options.InstallDirectory} exited with {process.ExitCode}: {await errors}{await output}");
            }
        }
    }
}
