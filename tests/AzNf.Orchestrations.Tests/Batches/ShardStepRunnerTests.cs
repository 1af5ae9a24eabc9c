using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Parsing;
using static AzNf.Orchestrations.Tests.Batches.BatchTestData;
using static AzNf.Orchestrations.Tests.TestUnits;

namespace AzNf.Orchestrations.Tests.Batches;

public class ShardStepRunnerTests
{
    private static readonly DateTime Now = new(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    // Two connections: "/etc/passwd" split across segments (IDS rule 1000001) and a plain request.
    private static List<byte[]> Traffic()
    {
        var attack = new TcpConversation("127.0.0.1", 40001, "127.0.0.2", 80).Handshake().Client("GET /etc/pa").Client("sswd HTTP/1.0\r\n\r\n").Close().Frames;
        var plain = new TcpConversation("127.0.0.3", 40002, "127.0.0.4", 80).Handshake().Client("GET /index.html HTTP/1.0\r\n\r\n").Close().Frames;
        // Interleaved, as one partition would carry them.
        return attack.Zip(plain).SelectMany(p => new[] { p.First, p.Second }).Concat(attack.Skip(plain.Count)).Concat(plain.Skip(attack.Count)).ToList();
    }

    private static (List<ShardStepResult> Results, Dictionary<int, FlowShardMap> Maps) RunAll(
        ChainDefinition chain, PartitionBatch batch, Dictionary<int, FlowShardMap>? maps = null, int shards = 4, DateTime? deadline = null, long lastSequence = long.MinValue, Watermarks? watermarks = null)
    {
        maps ??= [];
        watermarks ??= new Watermarks();
        var runner = new ShardStepRunner();
        var compiled = new CompiledChain(chain, 1, 0);
        var results = new List<ShardStepResult>();
        foreach (var (step, packets) in Steps(chain, batch, shards, deadline: deadline, lastSequence: lastSequence))
        {
            if (!maps.TryGetValue(step.Slice.Shard, out var map))
            {
                maps[step.Slice.Shard] = map = new FlowShardMap();
            }
            results.Add(runner.Run(step, packets, map, compiled, watermarks.Of(step.Slice.Shard), Now, Retention));
            watermarks.Done(step, chain);
        }
        return (results, maps);
    }

    /// <summary>Per shard and partition, the last batch the shard is done with: what its entity keeps beside the map.</summary>
    private sealed class Watermarks
    {
        private readonly Dictionary<int, Dictionary<int, long>> _byShard = [];

        public Dictionary<int, long> Of(int shard) => _byShard.TryGetValue(shard, out var marks) ? marks : _byShard[shard] = [];

        public void Done(ShardStep step, ChainDefinition chain)
        {
            if (step.FirstStage + step.StageCount == chain.Stages.Count)
            {
                var marks = Of(step.Slice.Shard);
                marks[step.Partition] = Math.Max(marks.GetValueOrDefault(step.Partition, -1), step.BatchSequenceNumber);
            }
        }
    }

    /// <summary>A partition batch of frames at the given capture times (seconds), events numbered from <paramref name="firstSequence"/>.</summary>
    private static PartitionBatch TimedBatch(IReadOnlyList<(byte[] Frame, double Seconds)> frames, long firstSequence)
    {
        var batch = new PartitionBatch(1024) { Partition = 0 };
        for (int i = 0; i < frames.Count; i++)
        {
            batch.Add(firstSequence + i, 0, LinkType.Ethernet, frames[i].Frame, frames[i].Frame.Length, (long)(frames[i].Seconds * 1e9));
        }
        return batch;
    }

    [Fact]
    public void Run_FlowsWithoutAPartition_ExpireByTheWallClockAndTombstonesByTheRetention()
    {
        var frames = Traffic();
        var maps = new Dictionary<int, FlowShardMap>();
        for (int shard = 0; shard < 4; shard++)
        {
            var map = maps[shard] = new FlowShardMap();
            map.Set("udp 10.9.9.1:1 <-> 10.9.9.2:2", new ShardFlow { Version = 5, LastAppliedUtc = Now - Retention - TimeSpan.FromMinutes(1) });
            map.Set("udp 10.9.9.3:1 <-> 10.9.9.4:2", new ShardFlow { Version = 6, LastAppliedUtc = Now - Retention + TimeSpan.FromMinutes(1) });
            map.Set("udp 10.9.9.5:1 <-> 10.9.9.6:2", new ShardFlow { Version = 7, LastAppliedUtc = Now - TimeSpan.FromDays(3), IdleTimeoutSeconds = 600, Snapshot = [1] });
        }

        var (results, _) = RunAll(TestChains.Full(), Batch(frames, 0, frames.Count), maps);

        foreach (int shard in results.Select(r => r.Shard))
        {
            var flows = maps[shard].Flows;
            Assert.False(flows.ContainsKey("udp 10.9.9.1:1 <-> 10.9.9.2:2"), $"shard {shard} kept a tombstone past its retention");
            Assert.Equal(6, flows["udp 10.9.9.3:1 <-> 10.9.9.4:2"].Version);
            // An idle flow becomes a tombstone first; a later step drops it once past the retention.
            Assert.Null(flows["udp 10.9.9.5:1 <-> 10.9.9.6:2"].Snapshot);
            Assert.Equal(7, flows["udp 10.9.9.5:1 <-> 10.9.9.6:2"].Version);
        }
        Assert.NotEmpty(results);
    }

    /// <summary>
    /// A flow idle past its timeout in capture time ends <c>expired</c> at the first later batch of
    /// its partition that reaches its shard, with the record the embedded table gives it, and leaves
    /// no tombstone: the partition's watermark still makes its redelivered packets duplicates.
    /// </summary>
    [Fact]
    public void Run_FlowIdlePastItsTimeoutInCaptureTime_ExpiresAsEmbeddedAndARedeliveryStaysADuplicate()
    {
        var chain = TestChains.Full();
        // A half-open connection (TCP new: 60 s), an established one (600 s), and 100 s later a third.
        var halfOpen = new TcpConversation("10.1.0.1", 40001, "10.1.0.2", 80).Handshake().Frames.Take(1).Select(f => (f, 1.0));
        var established = new TcpConversation("10.1.0.3", 40002, "10.1.0.4", 80).Handshake().Frames.Select((f, i) => (f, 2.0 + (i * 0.1)));
        var later = new TcpConversation("10.1.0.5", 40003, "10.1.0.6", 80).Handshake().Frames.Select((f, i) => (f, 101.0 + (i * 0.1)));
        var first = halfOpen.Concat(established).ToList();
        var second = later.ToList();
        var whole = new ChainPartition(chain, 0);
        foreach (var (frame, seconds) in first.Concat(second))
        {
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            whole.Process(frame, parsed, malformed, frame.Length, (long)(seconds * 1e9), 1);
        }
        var embeddedExpired = whole.FinishedFlows.Single(f => f.End == FlowEndReason.Expired);
        var watermarks = new Watermarks();
        var maps = new Dictionary<int, FlowShardMap>();

        var (before, _) = RunAll(chain, TimedBatch(first, 1), maps, shards: 1, watermarks: watermarks);
        var (after, _) = RunAll(chain, TimedBatch(second, 1 + first.Count), maps, shards: 1, watermarks: watermarks);
        var (redelivered, _) = RunAll(chain, TimedBatch(first, 1), maps, shards: 1, watermarks: watermarks);

        Assert.Empty(before.SelectMany(r => r.FinishedFlows));
        var expired = Assert.Single(after.SelectMany(r => r.FinishedFlows));
        Assert.Equal(ReportFlow.From(embeddedExpired) with { FirstPacketIndex = expired.FirstPacketIndex }, expired);
        Assert.Equal("expired", expired.End);
        Assert.Equal(["tcp 10.1.0.3:40002 <-> 10.1.0.4:80", "tcp 10.1.0.5:40003 <-> 10.1.0.6:80"], maps[0].Flows.Keys.Order());
        Assert.Equal(first.Count, redelivered.Sum(r => r.Duplicates));
        Assert.Equal(0, redelivered.Sum(r => r.Packets));
        Assert.Equal(2, maps[0].Flows.Count);
    }

    [Fact]
    public void Run_WholeBatchOverShards_SameAlertsCountsAndFlowsAsOnePartition()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var whole = new ChainPartition(chain, 0);
        RunWhole(whole, frames, 0, frames.Count);
        whole.Finish();

        var (results, maps) = RunAll(chain, Batch(frames, 0, frames.Count));

        Assert.Equal(frames.Count, results.Sum(r => r.Packets));
        Assert.Equal(whole.Alerts.Alerts.Select(a => (a.Sid, a.PacketIndex)).Order(), results.SelectMany(r => r.Alerts).Select(a => (a.Sid, a.PacketIndex)).Order());
        Assert.Single(results.SelectMany(r => r.Alerts));
        var held = maps.Values.SelectMany(m => m.Flows).Where(f => f.Value.Snapshot is not null).ToList();
        Assert.Equal(2, held.Count);
        foreach (var record in whole.FinishedFlows)
        {
            var flow = held.Single(f => f.Key == record.Key.ToString()).Value;
            var state = FlowSnapshot.Read(flow.Snapshot!, "flow");
            Assert.Equal(record, FlowRecord.From(ref state, FlowEndReason.EndOfRun));
        }
        Assert.Equal(2, results.SelectMany(r => r.Sources).Sum(s => s.NewFlows));
        Assert.Equal(["127.0.0.1", "127.0.0.3"], results.SelectMany(r => r.Sources).Select(s => s.Address).Order());
    }

    [Fact]
    public void Run_SameBatchAgain_EveryPacketADuplicateAndTheMapsUnchanged()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var (_, maps) = RunAll(chain, Batch(frames, 0, frames.Count));
        var before = maps.ToDictionary(m => m.Key, m => m.Value.Encode());

        var (again, after) = RunAll(chain, Batch(frames, 0, frames.Count), maps);

        Assert.Equal(frames.Count, again.Sum(r => r.Duplicates));
        Assert.Equal(0, again.Sum(r => r.Packets));
        Assert.Empty(again.SelectMany(r => r.Alerts));
        Assert.All(after, m => Assert.Equal(
            FlowShardMap.Decode(before[m.Key], "x").Flows.Select(f => (f.Key, f.Value.Version, Convert.ToHexString(f.Value.Snapshot ?? []))),
            m.Value.Flows.Select(f => (f.Key, f.Value.Version, Convert.ToHexString(f.Value.Snapshot ?? [])))));
    }

    [Fact]
    public void Run_BatchCutDifferentlyAfterARestart_OnlyTheUnappliedPacketsRun()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var whole = new ChainPartition(chain, 0);
        RunWhole(whole, frames, 0, frames.Count);
        var (first, maps) = RunAll(chain, Batch(frames, 0, 9));

        // Redelivered from packet 5 on: 5..9 were applied, 10.. were not.
        var (second, _) = RunAll(chain, Batch(frames, 4, frames.Count), maps);

        Assert.Equal(5, second.Sum(r => r.Duplicates));
        Assert.Equal(frames.Count, first.Sum(r => r.Packets) + second.Sum(r => r.Packets));
        Assert.Equal(whole.Alerts.Alerts.Select(a => (a.Sid, a.PacketIndex)), first.Concat(second).SelectMany(r => r.Alerts).Select(a => (a.Sid, a.PacketIndex)));
    }

    [Fact]
    public void Run_DeadlineAlreadyPassed_LateAndTheMapUntouched()
    {
        var chain = TestChains.Full();
        var frames = Traffic();

        var (results, maps) = RunAll(chain, Batch(frames, 0, frames.Count), deadline: DateTime.UtcNow.AddSeconds(-1));

        Assert.All(results, r => Assert.True(r.Late));
        Assert.All(maps.Values, m => Assert.Empty(m.Flows));
    }

    [Fact]
    public void Run_PacketOfAnotherShard_RefusedNamingBoth()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var (step, packets) = Steps(chain, Batch(frames, 0, frames.Count), shards: 4).First();

        var error = Assert.Throws<ArgumentException>(() => new ShardStepRunner().Run(step with { ShardCount = 3 }, packets, new FlowShardMap(), new CompiledChain(chain, 1, 0), new Dictionary<int, long>(), Now, Retention));

        Assert.Contains("belongs to flow", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_StagedOneStageAtATime_SameAlertsAndStateAsFused()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var batch = Batch(frames, 0, frames.Count);
        var (fused, fusedMaps) = RunAll(chain, batch);
        var runner = new ShardStepRunner();
        var compiled = new CompiledChain(chain, 1, 0);
        var maps = new Dictionary<int, FlowShardMap>();
        var watermarks = new Watermarks();
        var alerts = new List<(int, long)>();

        for (int stage = 0; stage < chain.Stages.Count; stage++)
        {
            foreach (var (step, packets) in Steps(chain, batch, 4, first: stage, count: 1))
            {
                var map = maps.TryGetValue(step.Slice.Shard, out var m) ? m : maps[step.Slice.Shard] = new FlowShardMap();
                var result = runner.Run(step, packets, map, compiled, watermarks.Of(step.Slice.Shard), Now, Retention);
                watermarks.Done(step, chain);
                alerts.AddRange(result.Alerts.Select(a => (a.Sid, a.PacketIndex)));
            }
        }

        Assert.Equal(fused.SelectMany(r => r.Alerts).Select(a => (a.Sid, a.PacketIndex)), alerts);
        Assert.Equal(
            fusedMaps.SelectMany(m => m.Value.Flows).Select(f => (f.Key, f.Value.Version, Convert.ToHexString(f.Value.Snapshot!))).OrderBy(f => f.Key),
            maps.SelectMany(m => m.Value.Flows).Select(f => (f.Key, f.Value.Version, Convert.ToHexString(f.Value.Snapshot!))).OrderBy(f => f.Key));
    }
}
