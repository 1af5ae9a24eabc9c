using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.Cli.Tests;

/// <summary>
/// The alerts of `aznf run` with the sample IDS chain against Suricata 7 on the same capture,
/// rules and variables: the set of (sid, flow) pairs must be equal.
/// </summary>
public class IdsOracleTests
{
    [Theory]
    [InlineData("sample", 0)]
    [InlineData("generated", 21)]
    [InlineData("generated", 22)]
    public void Run_SampleIdsChain_AlertsEqualSuricata(string which, int seed)
    {
        string folder = OracleProcess.TempDirectory("ids-oracle");
        string capture = which == "sample"
            ? CliRunner.Samples("captures", "http-loopback.pcapng")
            : CliRunner.Generate(flows: 400, seed, folder);
        string chainPath = CliRunner.Samples("chains", "ids.json");
        var chain = ChainDefinition.Load(chainPath);

        var report = CliRunner.Run(capture, chainPath);
        var suricata = Suricata.Run(capture, CliRunner.Samples("rules", "ids.rules"), chain.Variables, Path.Combine(folder, "suricata"));

        var ours = report.Alerts
            .Select(a => Suricata.AlertPair(a.Sid, a.Proto, NetAddress.Parse(a.Src), (ushort)a.SrcPort, NetAddress.Parse(a.Dst), (ushort)a.DstPort))
            .ToHashSet();
        int ruleLines = File.ReadLines(CliRunner.Samples("rules", "ids.rules")).Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        Assert.Equal(ruleLines, suricata.RulesLoaded);
        Assert.Empty(report.Warnings);
        Assert.True(suricata.AlertPairs.Count >= 5, $"the capture should exercise the sample rules; Suricata raised {suricata.AlertPairs.Count}");
        Assert.Equal(suricata.AlertPairs.Order(StringComparer.Ordinal), ours.Order(StringComparer.Ordinal));
    }
}
