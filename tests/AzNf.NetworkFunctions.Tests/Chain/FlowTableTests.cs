using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Tests.Chain;

public class FlowTableTests
{
    private static FlowKey Key(int i) =>
        new(NetAddress.FromIPv4(0x0A000000u + (uint)i), NetAddress.Parse("10.255.0.1"), (ushort)(i & 0xFFFF), 80, IpProtocol.Tcp);

    [Fact]
    public void FindOrAdd_ManyFlowsPastInitialSize_EachFoundAgainWithItsState()
    {
        var ended = new List<FlowKey>();
        var table = new FlowTable(new FlowTableOptions(), (int _, ref FlowState f, FlowEndReason _) => ended.Add(f.Key));
        for (int i = 0; i < 5000; i++)
        {
            int slot = table.FindOrAdd(Key(i), 0, out bool created);
            Assert.True(created);
            table[slot].PacketsAToB = i;
        }

        for (int i = 0; i < 5000; i++)
        {
            int slot = table.FindOrAdd(Key(i), 0, out bool created);
            Assert.False(created);
            Assert.Equal(i, table[slot].PacketsAToB);
        }
        Assert.Equal(5000, table.Count);
        Assert.Empty(ended);
    }

    [Fact]
    public void Remove_MiddleOfBucketChains_OthersStillFound()
    {
        var table = new FlowTable(new FlowTableOptions(), (int _, ref FlowState _, FlowEndReason _) => { });
        var slots = Enumerable.Range(0, 3000).Select(i => table.FindOrAdd(Key(i), 0, out _)).ToArray();

        for (int i = 0; i < 3000; i += 2)
        {
            table.Remove(slots[i], FlowEndReason.Reused);
        }

        Assert.Equal(1500, table.Count);
        for (int i = 0; i < 3000; i++)
        {
            table.FindOrAdd(Key(i), 0, out bool created);
            Assert.Equal(i % 2 == 0, created);
        }
    }

    [Fact]
    public void ExpireIdle_PerClassTimeouts_OnlyIdleFlowsOfEachClassEnd()
    {
        var ended = new List<(FlowKey, FlowEndReason)>();
        var options = new FlowTableOptions { TcpNewTimeout = TimeSpan.FromSeconds(10), TcpEstablishedTimeout = TimeSpan.FromSeconds(100) };
        var table = new FlowTable(options, (int _, ref FlowState f, FlowEndReason r) => ended.Add((f.Key, r)));
        table.Touch(table.FindOrAdd(Key(1), 0, out _), 0, FlowTimeoutClass.TcpNew);
        table.Touch(table.FindOrAdd(Key(2), 0, out _), 0, FlowTimeoutClass.TcpEstablished);

        table.ExpireIdle(50_000_000_000);

        Assert.Equal([(Key(1), FlowEndReason.Expired)], ended);
        Assert.Equal(1, table.Expired);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void RemoveAll_EveryLiveFlowEndsOnce()
    {
        var ended = new List<FlowKey>();
        var table = new FlowTable(new FlowTableOptions(), (int _, ref FlowState f, FlowEndReason _) => ended.Add(f.Key));
        for (int i = 0; i < 10; i++)
        {
            table.Touch(table.FindOrAdd(Key(i), i, out _), i, (FlowTimeoutClass)(i % 6));
        }

        table.RemoveAll(FlowEndReason.EndOfRun);

        Assert.Equal(10, ended.Distinct().Count());
        Assert.Equal(0, table.Count);
    }
}
