using AzNf.NetworkFunctions.Chain;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// A chain's IDS stage names a classification file and a reference file: alerts in the report
/// and in EVE carry priority, category, metadata and the rule's references as links, and survive
/// a JSON round trip.
/// </summary>
public class AlertClassificationTests
{
    [Fact]
    public void Run_StageWithClassificationAndReferenceFiles_AlertsCarryPriorityCategoryMetadataReferences()
    {
        string folder = OracleProcess.TempDirectory("classification");
        File.WriteAllText(Path.Combine(folder, "classification.config"), "config classification: attempted-recon,Attempted Information Leak,2\n");
        File.WriteAllText(Path.Combine(folder, "ids.rules"),
            "alert http any any -> any any (msg:\"passwd\"; http.uri; content:\"/etc/passwd\"; classtype:attempted-recon; metadata:signature_severity Major, created_at 2024_01_01; reference:cve,1999-0001; sid:7;)\n");
        File.WriteAllText(Path.Combine(folder, "reference.config"), "config reference: cve http://cve.mitre.org/cgi-bin/cvename.cgi?name=\n");
        string chain = Path.Combine(folder, "chain.json");
        File.WriteAllText(chain, """{ "name": "c", "stages": [ { "name": "ids", "type": "ids", "rules": "ids.rules", "classification": "classification.config", "references": "reference.config" } ] }""");
        string eve = Path.Combine(folder, "eve.json");

        var report = EveOutputTests.RunWithEve(OracleProcess.TestData("capture", "http-et.pcapng"), chain, eve, folder);

        Assert.NotEmpty(report.Alerts);
        Assert.All(report.Alerts, a =>
        {
            Assert.Equal(2, a.Priority);
            Assert.Equal("Attempted Information Leak", a.Category);
            Assert.Equal(["Major"], a.Metadata!["signature_severity"]);
            Assert.Equal(["http://cve.mitre.org/cgi-bin/cvename.cgi?name=1999-0001"], a.References);
        });
        var eveAlerts = EveOutputTests.ReadEvents(eve).Where(e => e.GetProperty("event_type").GetString() == "alert").ToList();
        Assert.Equal(report.Alerts.Count, eveAlerts.Count);
        Assert.All(eveAlerts, e => Assert.Equal(
            "http://cve.mitre.org/cgi-bin/cvename.cgi?name=1999-0001",
            Assert.Single(e.GetProperty("aznf").GetProperty("references").EnumerateArray()).GetString()));
        var again = RunReport.ReadJson(report.ToJson());
        Assert.Equal(report.Alerts, again.Alerts);
    }
}
