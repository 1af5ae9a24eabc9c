using AzNf.NetworkFunctions.Chain;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>A chain's IDS stage names a classification file: alerts in the report carry priority, category and metadata, and survive a JSON round trip.</summary>
public class AlertClassificationTests
{
    [Fact]
    public void Run_StageWithClassificationFile_AlertsCarryPriorityCategoryMetadata()
    {
        string folder = OracleProcess.TempDirectory("classification");
        File.WriteAllText(Path.Combine(folder, "classification.config"), "config classification: attempted-recon,Attempted Information Leak,2\n");
        File.WriteAllText(Path.Combine(folder, "ids.rules"),
            "alert http any any -> any any (msg:\"passwd\"; http.uri; content:\"/etc/passwd\"; classtype:attempted-recon; metadata:signature_severity Major, created_at 2024_01_01; sid:7;)\n");
        string chain = Path.Combine(folder, "chain.json");
        File.WriteAllText(chain, """{ "name": "c", "stages": [ { "name": "ids", "type": "ids", "rules": "ids.rules", "classification": "classification.config" } ] }""");

        var report = CliRunner.Run(OracleProcess.TestData("capture", "http-et.pcapng"), chain);

        Assert.NotEmpty(report.Alerts);
        Assert.All(report.Alerts, a =>
        {
            Assert.Equal(2, a.Priority);
            Assert.Equal("Attempted Information Leak", a.Category);
            Assert.Equal(["Major"], a.Metadata!["signature_severity"]);
        });
        var again = RunReport.ReadJson(report.ToJson());
        Assert.Equal(report.Alerts, again.Alerts);
    }
}
