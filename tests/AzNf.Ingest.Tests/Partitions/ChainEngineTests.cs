using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Capture;
using AzNf.TestOracles;

namespace AzNf.Ingest.Tests.Partitions;

public sealed class ChainEngineTests
{
    private static string Sample(params string[] parts) => Path.Combine([OracleProcess.RepositoryRoot(), "samples", .. parts]);

    /// <summary>The partitioned path (local log, batches, threads) against the one-thread inline path, which shares none of that machinery.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Run_SampleCaptureFullChainThroughTheLocalLog_ReportEqualsTheInlineRun(int partitions)
    {
        var chain = ChainDefinition.Load(Sample("chains", "full.json"));
        string capturePath = Directory.GetFiles(Sample("captures")).Order(StringComparer.Ordinal).First();

        RunReport inline, viaLog;
        using (var capture = CaptureReader.Open(capturePath))
        {
            inline = RunReport.From(ChainEngine.Run(chain, capture, new EngineOptions { Partitions = 1, Inline = true }), "c", capture.Warnings.Counts);
        }
        using (var capture = CaptureReader.Open(capturePath))
        {
            viaLog = RunReport.From(ChainEngine.Run(chain, capture, new EngineOptions { Partitions = partitions, BatchPackets = 16 }), "c", capture.Warnings.Counts);
        }

        Assert.Equal(partitions, viaLog.Input.Partitions);
        if (partitions == 1)
        {
            Assert.Equal(inline.ToJson(), viaLog.ToJson());
        }
        else
        {
            // Each partition has its own NF instances, whose counters are summed (facts about the
            // loaded rules come once, from the definition), and its own flow-table high-water mark.
            Assert.Equal(
                (inline with { Input = viaLog.Input, FlowTable = viaLog.FlowTable with { PeakFlows = inline.FlowTable.PeakFlows } }).ToJson(),
                (viaLog with { FlowTable = viaLog.FlowTable with { PeakFlows = inline.FlowTable.PeakFlows } }).ToJson());
            Assert.Equal(inline.Nfs.Select(n => (n.Name, n.PacketsIn, n.PacketsOut, n.Drops, n.Errors)), viaLog.Nfs.Select(n => (n.Name, n.PacketsIn, n.PacketsOut, n.Drops, n.Errors)));
        }
        Assert.NotEmpty(viaLog.Flows);
        Assert.NotEmpty(viaLog.Alerts);
    }
}
