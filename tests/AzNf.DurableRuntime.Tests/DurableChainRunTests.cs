using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Partitions;
using AzNf.Orchestrations.Hub;
using AzNf.Packets.Capture;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class DurableChainRunTests(AzuriteFixture azurite)
{
    public static TheoryData<string> SampleChains => new() { "counter", "firewall", "ids", "full" };

    [Theory]
    [MemberData(nameof(SampleChains))]
    public async Task RunAsync_SampleCapture_SameAnswersAsTheEmbeddedRuntime(string chainName)
    {
        string chainFile = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", chainName + ".json");
        string capture = Path.Combine(OracleProcess.RepositoryRoot(), "samples", "captures", "http-loopback.pcapng");
        var embedded = Embedded(chainFile, capture);

        var durable = await Durable(chainFile, capture, new DurableChainOptions());

        Assert.Empty(durable.Failures);
        AssertSameAnswers(embedded, durable.Report);
    }

    internal static RunReport Embedded(string chainFile, string capturePath)
    {
        var chain = ChainDefinition.Load(chainFile);
        using var capture = CaptureReader.Open(capturePath);
        var result = ChainEngine.Run(chain, capture, new EngineOptions { Partitions = 2 });
        return RunReport.From(result, capture.Name, capture.Warnings.Counts);
    }

    internal async Task<DurableRunResult> Durable(string chainFile, string capturePath, DurableChainOptions options)
    {
        using var capture = CaptureReader.Open(capturePath);
        var request = new DurableRunRequest
        {
            ChainFile = chainFile,
            Runtime = new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = AzuriteFixture.UniqueName("run"), ControlQueuePartitions = 2 },
            Chain = options,
            Partitions = 2,
            BatchPackets = 32,
        };
        return await DurableChainRun.RunAsync(request, capture);
    }

    /// <summary>Flows with their counts, alerts, totals and drops must be equal; NF-internal counters are the embedded runtime's only.</summary>
    internal static void AssertSameAnswers(RunReport expected, RunReport actual)
    {
        Assert.NotEmpty(expected.Flows);
        Assert.Equal(expected.Totals.Packets, actual.Totals.Packets);
        Assert.Equal(expected.Totals.Bytes, actual.Totals.Bytes);
        Assert.Equal(expected.Totals.Forwarded, actual.Totals.Forwarded);
        Assert.Equal(expected.Totals.Dropped, actual.Totals.Dropped);
        Assert.Equal(expected.Totals.DropReasons, actual.Totals.DropReasons);
        Assert.Equal(expected.Totals.Unparsed, actual.Totals.Unparsed);
        Assert.Equal(expected.Flows, actual.Flows);
        Assert.Equal(expected.Alerts, actual.Alerts);
        Assert.Equal(expected.Nfs.Select(n => (n.Name, n.PacketsIn, n.PacketsOut, n.Drops)), actual.Nfs.Select(n => (n.Name, n.PacketsIn, n.PacketsOut, n.Drops)));
    }
}
