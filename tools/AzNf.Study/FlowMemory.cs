using AzNf.Generators;
using AzNf.NetworkFunctions.Chain;

namespace AzNf.Study;

/// <summary>Managed memory per live flow: a partition opened with many TCP flows carrying data, measured by the GC.</summary>
public static class FlowMemory
{
    public static long BytesPerFlow(ChainDefinition chain, int flows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(flows, 1);
        var traffic = BenchmarkTraffic.Create(64, flows, dataPerFlow: 2);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var partition = new ChainPartition(chain, 0);
        FrameReplay.Replay(partition, traffic.Handshakes);
        FrameReplay.Replay(partition, traffic.Data);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(partition);
        return (after - before) / flows;
    }
}
