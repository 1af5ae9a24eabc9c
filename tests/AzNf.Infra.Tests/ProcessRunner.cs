using System.Diagnostics;

namespace AzNf.Infra.Tests;

/// <summary>Runs a command to completion and captures what it printed.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/> in <paramref name="workingDirectory"/>; never throws on a non-zero exit.</summary>
    public static CommandOutcome Run(string fileName, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // The test host exports MSBuild variables meant for itself; the nested `dotnet restore` of
        // install-bicep.sh must pick its own SDK paths.
        foreach (string variable in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(variable);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new CommandOutcome(process.ExitCode, output, errors.Result);
    }
}
