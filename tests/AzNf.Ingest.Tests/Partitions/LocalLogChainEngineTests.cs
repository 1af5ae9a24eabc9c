using AzNf.NetworkFunctions.Chain;
using AzNf.NetworkFunctions.Partitions;
using AzNf.Packets.Capture;
using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Partitions;

public sealed class LocalLogChainEngineTests
{
    private static string Sample(params string[] parts) => Path.Combine([OracleProcess.RepositoryRoot(), "samples", .. parts]);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Run_SampleCaptureFullChain_ReportEqualsChainEngines(int partitions)
    {
        var chain = ChainDefinition.Load(Sample("chains", "full.json"));
        var options = new EngineOptions { Partitions = partitions, BatchPackets = 16 };
        string capturePath = Directory.GetFiles(Sample("captures")).Order(StringComparer.Ordinal).First();

        string viaEngine, viaLog;
        using (var capture = CaptureReader.Open(capturePath))
        {
            viaEngine = RunReport.From(ChainEngine.Run(chain, capture, options), "c", capture.Warnings.Counts).ToJson();
        }
        using (var capture = CaptureReader.Open(capturePath))
        {
            viaLog = RunReport.From(LocalLogChainEngine.Run(chain, capture, options), "c", capture.Warnings.Counts).ToJson();
        }

        Assert.Equal(viaEngine, viaLog);
        Assert.Contains("\"packets\"", viaLog);
    }
}
