using AzNf.NetworkFunctions.Chain;
using AzNf.TestOracles;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace AzNf.Cli.Tests;

/// <summary>Runs <c>aznf</c> in-process and captures its exit code, error output and report.</summary>
internal static class CliRunner
{
    public static string Samples(params string[] parts) => Path.Combine([OracleProcess.RepositoryRoot(), "samples", .. parts]);

    public static (int ExitCode, string Errors) Aznf(params string[] args)
    {
        var errors = new StringWriter();
        var previous = Console.Error;
        Console.SetError(errors);
        try
        {
            return (AznfApp.Run(args), errors.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }

    /// <summary>Runs a capture through a chain and returns the parsed JSON report.</summary>
    public static RunReport Run(string capture, string chain, int partitions = 2)
    {
        string report = Path.Combine(OracleProcess.TempDirectory("cli"), "report.json");
        var (code, errors) = Aznf("run", "--capture", capture, "--chain", chain, "--partitions", partitions.ToString(), "--report", report, "--quiet");
        Assert.True(code == 0, $"aznf run exited with {code}: {errors}");
        return RunReport.ReadJson(File.ReadAllText(report));
    }

    /// <summary>Writes a synthetic capture with <c>aznf gen</c> and returns its path.</summary>
    public static string Generate(int flows, int seed, string folder)
    {
        string path = Path.Combine(folder, $"gen-{flows}-{seed}.pcap");
        var (code, errors) = Aznf("gen", "--out", path, "--flows", flows.ToString(), "--seed", seed.ToString());
        Assert.True(code == 0, $"aznf gen exited with {code}: {errors}");
        return path;
    }
}
