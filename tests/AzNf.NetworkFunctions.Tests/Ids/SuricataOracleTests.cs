using AzNf.Packets.Capture;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.NetworkFunctions.Tests.Ids;

/// <summary>
/// The IDS must alert on exactly the (sid, flow) pairs Suricata 7 alerts on, for one capture
/// that exercises every supported keyword (see <see cref="IdsOracleScenario"/>).
/// </summary>
public sealed class SuricataOracleTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aznf-ids-oracle-" + Guid.NewGuid().ToString("N"));

    public SuricataOracleTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public void KeywordCapture_SameRulesAsSuricata_SameSidFlowPairs() =>
        AssertSameAlertsAsSuricata("keywords", IdsOracleScenario.Rules, IdsOracleScenario.Frames(), minimumDistinctAlerts: 40, mustAlert: IdsOracleScenario.MustAlert);

    [Fact]
    public void RandomSegmentedCapture_SameRulesAsSuricata_SameSidFlowPairs() =>
        AssertSameAlertsAsSuricata("random", IdsRandomScenario.Rules, IdsRandomScenario.Frames(FromEnvironment("AZNF_IDS_ORACLE_SEED", 20240607), FromEnvironment("AZNF_IDS_ORACLE_CONVERSATIONS", 300)), minimumDistinctAlerts: 50);

    /// <summary>Fixed defaults; the environment variables explore other seeds and sizes by hand.</summary>
    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) ? value : fallback;

    private void AssertSameAlertsAsSuricata(string name, string ruleText, List<byte[]> frames, int minimumDistinctAlerts, IReadOnlyList<int>? mustAlert = null)
    {
        string capture = Path.Combine(_directory, name + ".pcap");
        string rules = Path.Combine(_directory, name + ".rules");
        IdsTestHarness.WriteCapture(capture, frames);
        File.WriteAllText(rules, ruleText);
        var harness = new IdsTestHarness(ruleText);
        harness.SendAll(frames);
        harness.EndAllFlows();

        var suricata = Suricata.Run(capture, rules, IdsTestHarness.DefaultVariables, Path.Combine(_directory, name));
        var expected = suricata.AlertPairs;
        int suricataRulesLoaded = suricata.RulesLoaded;
        var actual = harness.Alerts.Alerts
            .Select(a => Suricata.AlertPair(a.Sid, IpProtocol.Name(a.Protocol), a.Source, a.SourcePort, a.Destination, a.DestinationPort))
            .ToHashSet();

        Assert.Empty(harness.Diagnostics.Warnings);
        int ruleLines = ruleText.Split('\n').Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        Assert.Equal(ruleLines, harness.Definition.RulesLoaded);
        Assert.Equal(ruleLines, suricataRulesLoaded);
        Assert.True(expected.Count >= minimumDistinctAlerts, $"Suricata raised only {expected.Count} distinct alerts; the scenario or config is broken");
        var sidsRaised = expected.Select(p => int.Parse(p.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        string silent = string.Join(", ", (mustAlert ?? []).Where(sid => !sidsRaised.Contains(sid)));
        Assert.True(silent.Length == 0, $"Suricata never raised sids the capture is built for: {silent}");
        string onlySuricata = string.Join("\n  ", expected.Except(actual).Order(StringComparer.Ordinal));
        string onlyAzNf = string.Join("\n  ", actual.Except(expected).Order(StringComparer.Ordinal));
        Assert.True(expected.SetEquals(actual), $"only Suricata:\n  {onlySuricata}\nonly AzNf:\n  {onlyAzNf}");
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("AZNF_KEEP_ORACLE_OUTPUT") == "1")
        {
            return;
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
