using AzNf.Orchestrations.Batches;

namespace AzNf.Orchestrations.Tests.Batches;

public class FlowShardMapTests
{
    [Fact]
    public void Decode_WhatEncodeWrote_SameFlows()
    {
        var map = new FlowShardMap();
        map.Flows["tcp 10.0.0.1:1234 <-> 10.0.0.2:80"] = new ShardFlow { Version = 42, LastAppliedUtc = new DateTime(2026, 12, 4, 1, 2, 3, DateTimeKind.Utc), IdleTimeoutSeconds = 600, Snapshot = [1, 2, 3, 0, 0, 0] };
        map.Flows["udp 10.0.0.3:53 <-> 10.0.0.4:5353"] = new ShardFlow { Version = 7, StagedBatch = 9, StagesDone = 2, Snapshot = null };

        var read = FlowShardMap.Decode(map.Encode(), "shard");

        Assert.Equal(2, read.Flows.Count);
        var tcp = read.Flows["tcp 10.0.0.1:1234 <-> 10.0.0.2:80"];
        Assert.Equal((42L, 0L, 0, new DateTime(2026, 12, 4, 1, 2, 3, DateTimeKind.Utc), 600.0), (tcp.Version, tcp.StagedBatch, tcp.StagesDone, tcp.LastAppliedUtc, tcp.IdleTimeoutSeconds));
        Assert.Equal(new byte[] { 1, 2, 3, 0, 0, 0 }, tcp.Snapshot);
        var udp = read.Flows["udp 10.0.0.3:53 <-> 10.0.0.4:5353"];
        Assert.Equal((7L, 9L, 2), (udp.Version, udp.StagedBatch, udp.StagesDone));
        Assert.Null(udp.Snapshot);
    }

    [Fact]
    public void Decode_NoState_EmptyMap()
    {
        Assert.Empty(FlowShardMap.Decode(null, "shard").Flows);
    }

    [Fact]
    public void Decode_Garbage_RefusedNamingTheShard()
    {
        var error = Assert.Throws<FlowShardMapException>(() => FlowShardMap.Decode([1, 2, 3, 4, 5, 6, 7, 8, 9], "flow shard full:3"));

        Assert.StartsWith("flow shard full:3: ", error.Message, StringComparison.Ordinal);
    }
}
