using AzNf.Orchestrations.Batches;

namespace AzNf.Orchestrations.Tests.Batches;

public class FlowShardMapTests
{
    [Fact]
    public void Decode_WhatEncodeWrote_SameFlows()
    {
        var map = new FlowShardMap();
        map.Set("tcp 10.0.0.1:1234 <-> 10.0.0.2:80", new ShardFlow { Version = 42, LastAppliedUtc = new DateTime(2026, 12, 4, 1, 2, 3, DateTimeKind.Utc), IdleTimeoutSeconds = 600, Partition = 3, LastSeenNanos = 1_700_000_000_123_456_789, Snapshot = [1, 2, 3, 0, 0, 0] });
        map.Set("udp 10.0.0.3:53 <-> 10.0.0.4:5353", new ShardFlow { Version = 7, StagedBatch = 9, StagesDone = 2, Snapshot = null });

        var read = FlowShardMap.Decode(map.Encode(), "shard");

        Assert.Equal(2, read.Flows.Count);
        var tcp = read.Flows["tcp 10.0.0.1:1234 <-> 10.0.0.2:80"];
        Assert.Equal((42L, 0L, 0, new DateTime(2026, 12, 4, 1, 2, 3, DateTimeKind.Utc), 600.0), (tcp.Version, tcp.StagedBatch, tcp.StagesDone, tcp.LastAppliedUtc, tcp.IdleTimeoutSeconds));
        Assert.Equal((3, 1_700_000_000_123_456_789L), (tcp.Partition, tcp.LastSeenNanos));
        Assert.Equal(new byte[] { 1, 2, 3, 0, 0, 0 }, tcp.Snapshot);
        var udp = read.Flows["udp 10.0.0.3:53 <-> 10.0.0.4:5353"];
        Assert.Equal((7L, 9L, 2, -1), (udp.Version, udp.StagedBatch, udp.StagesDone, udp.Partition));
        Assert.Null(udp.Snapshot);
    }

    /// <summary>A map stored before flows kept their partition and capture time still loads: its flows have no partition (they expire by the wall clock).</summary>
    [Fact]
    public void Decode_MapOfTheFormatBeforeCaptureTime_FlowsWithoutAPartition()
    {
        byte[] key = System.Text.Encoding.UTF8.GetBytes("udp 10.0.0.3:53 <-> 10.0.0.4:5353");
        var raw = new List<byte>();
        raw.AddRange(BitConverter.GetBytes(0x324D5346u)); // "FSM2"
        raw.AddRange(BitConverter.GetBytes(1));
        raw.AddRange(BitConverter.GetBytes((ushort)key.Length));
        raw.AddRange(key);
        raw.AddRange(BitConverter.GetBytes(42L));
        raw.AddRange(BitConverter.GetBytes(0L));
        raw.AddRange(BitConverter.GetBytes((short)0));
        raw.AddRange(BitConverter.GetBytes(new DateTime(2026, 12, 4, 1, 2, 3, DateTimeKind.Utc).Ticks));
        raw.AddRange(BitConverter.GetBytes(600.0));
        raw.AddRange(BitConverter.GetBytes(2));
        raw.AddRange(new byte[] { 7, 8 });
        raw.AddRange(BitConverter.GetBytes(0));
        byte[] compressed = new byte[1024];
        Assert.True(System.IO.Compression.BrotliEncoder.TryCompress(raw.ToArray(), compressed, out int written));

        var flow = Assert.Single(FlowShardMap.Decode(compressed[..written], "shard").Flows).Value;

        Assert.Equal((42L, 600.0, -1, 0L), (flow.Version, flow.IdleTimeoutSeconds, flow.Partition, flow.LastSeenNanos));
        Assert.Equal(new byte[] { 7, 8 }, flow.Snapshot);
    }

    /// <summary>A live flow's alias (a NAT's reply tuple) is stored and indexed; a delta that retires or removes the flow takes it out of the index.</summary>
    [Fact]
    public void Aliases_StoredWithTheFlowAndIndexed_GoneWhenTheFlowEnds()
    {
        const string Flow = "tcp 192.168.1.1:40000 <-> 198.51.100.80:80", Alias = "tcp 192.0.2.1:45126 <-> 198.51.100.80:80";
        const string Other = "udp 192.168.1.2:5000 <-> 198.51.100.53:53", OtherAlias = "udp 192.0.2.2:61000 <-> 198.51.100.53:53";
        var map = new FlowShardMap();
        map.Set(Flow, new ShardFlow { Version = 1, Snapshot = [1], Alias = Alias });
        map.Set(Other, new ShardFlow { Version = 2, Snapshot = [2], Alias = OtherAlias });
        byte[] stored = map.Encode();

        var read = FlowShardMap.Decode(stored, "shard");
        var changed = FlowShardMap.Decode(stored, "shard");
        changed.Retire(Flow);
        changed.Remove(Other);
        var applied = FlowShardMap.Decode(stored, "shard");
        applied.Apply(FlowShardMap.Decode(changed.EncodeChanges(), "delta"));

        Assert.Equal(Alias, read.Flows[Flow].Alias);
        Assert.Equal(Flow, read.Aliases[Alias]);
        Assert.Equal(Other, read.Aliases[OtherAlias]);
        Assert.Empty(changed.Aliases);
        Assert.Empty(applied.Aliases);
        Assert.Null(applied.Flows[Flow].Alias);
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

    [Fact]
    public void EncodeChanges_AppliedOverTheMapItWasMadeFrom_GivesTheChangedMap()
    {
        var original = new FlowShardMap();
        for (int i = 0; i < 10; i++)
        {
            original.Set($"udp 10.0.0.{i}:1 <-> 10.0.1.1:53", new ShardFlow { Version = i, IdleTimeoutSeconds = 600, Snapshot = [(byte)i, 1, 2] });
        }
        byte[] stored = original.Encode();
        var changed = FlowShardMap.Decode(stored, "shard");
        changed.Set("udp 10.0.0.1:1 <-> 10.0.1.1:53", new ShardFlow { Version = 100, Snapshot = [9, 9] });
        changed.Set("udp 10.0.0.99:1 <-> 10.0.1.1:53", new ShardFlow { Version = 101, Snapshot = [8] });
        changed.Retire("udp 10.0.0.2:1 <-> 10.0.1.1:53");
        changed.Retire("udp 10.0.0.2:1 <-> 10.0.1.1:53");
        changed.Remove("udp 10.0.0.3:1 <-> 10.0.1.1:53");
        changed.Remove("udp 10.0.0.77:1 <-> 10.0.1.1:53");

        var loaded = FlowShardMap.Decode(stored, "shard");
        loaded.Apply(FlowShardMap.Decode(changed.EncodeChanges(), "delta"));

        Assert.Equal(4, changed.Changes);
        Assert.Equal(0, loaded.Changes);
        Assert.Equal(View(changed), View(loaded));
        Assert.Equal(10, loaded.Flows.Count);
        Assert.Null(loaded.Flows["udp 10.0.0.2:1 <-> 10.0.1.1:53"].Snapshot);
        Assert.False(loaded.Flows.ContainsKey("udp 10.0.0.3:1 <-> 10.0.1.1:53"));
    }

    [Fact]
    public void Decode_DeltaCutInItsRemovedKeys_RefusedNamingWhere()
    {
        var map = FlowShardMap.Decode(new FlowShardMap().Encode(), "shard");
        map.Set("udp 10.0.0.1:1 <-> 10.0.1.1:53", new ShardFlow());
        var delta = FlowShardMap.Decode(map.Encode(), "shard");
        delta.Remove("udp 10.0.0.1:1 <-> 10.0.1.1:53");
        byte[] raw = new byte[64];
        int length = System.IO.Compression.BrotliDecoder.TryDecompress(delta.EncodeChanges(), raw, out int n) ? n : throw new InvalidOperationException();
        byte[] cut = new byte[256];
        Assert.True(System.IO.Compression.BrotliEncoder.TryCompress(raw.AsSpan(0, length - 3), cut, out int written));

        var error = Assert.Throws<FlowShardMapException>(() => FlowShardMap.Decode(cut[..written], "flow shard full:1 (delta 2 of 3)"));

        Assert.StartsWith("flow shard full:1 (delta 2 of 3): flow map cut in removed key 0 of 1", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A map's flows in key order: key, version and snapshot (hex), for comparing maps.</summary>
    internal static List<(string Key, long Version, string Snapshot)> View(FlowShardMap map) =>
        [.. map.Flows.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => (f.Key, f.Value.Version, Convert.ToHexString(f.Value.Snapshot ?? [])))];
}
