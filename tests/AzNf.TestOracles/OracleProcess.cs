using System.Diagnostics;

namespace AzNf.TestOracles;

/// <summary>
/// Runs a reference tool installed by scripts/install-oracles.sh. A missing tool is an error,
/// never a skip: an oracle test that silently skips proves nothing.
/// </summary>
public static class OracleProcess
{
    /// <summary>Runs <paramref name="tool"/> and returns its standard output.</summary>
    public static string Run(string tool, params string[] arguments) => RunCapturingErrors(tool, arguments).Output;

    /// <summary>Runs <paramref name="tool"/> and returns its standard output and, apart, its standard error.</summary>
    public static (string Output, string Errors) RunCapturingErrors(string tool, params string[] arguments)
    {
        var (output, errors, code) = RunWithExitCode(tool, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {code}: {errors}");
        }
        return (output, errors);
    }

    /// <summary>Runs <paramref name="tool"/> to its end, whatever its exit code.</summary>
    public static (string Output, string Errors, int ExitCode) RunWithExitCode(string tool, params string[] arguments)
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
            throw new InvalidOperationException($"'{tool}' is required by this test but could not be run ({e.Message}); install it with scripts/install-oracles.sh", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (stdout, stderr.Result, process.ExitCode);
        }
    }

    /// <summary>A fresh temporary folder for one test's files.</summary>
    public static string TempDirectory(string purpose)
    {
        string path = Path.Combine(Path.GetTempPath(), "aznf-tests", purpose, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The repository's tests/TestData folder, found above the test binaries.</summary>
    public static string TestData(params string[] parts)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "TestData");
            if (Directory.Exists(candidate))
            {
                return Path.Combine([candidate, .. parts]);
            }
        }
        throw new DirectoryNotFoundException("tests/TestData not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The repository root (the folder holding AzNf.sln), found above the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AzNf.sln")))
            {
                return directory.FullName;
            }
        }
        throw new DirectoryNotFoundException("AzNf.sln not found above " + AppContext.BaseDirectory);
    }
}
