using AzNf.Partitions;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Ingest.Tests.Partitions;

public sealed class LocalPartitionedLogTests
{
    /// <summary>Records what a consumer hands it, to check the protocol rather than a chain.</summary>
    private sealed class RecordingHandler(int partitions) : IPartitionBatchHandler
    {
        public readonly List<string>[] Calls = Enumerable.Range(0, partitions).Select(_ => new List<string>()).ToArray();
        public readonly List<(long Sequence, int Partition, ulong FlowHash)>[] Packets = Enumerable.Range(0, partitions).Select(_ => new List<(long, int, ulong)>()).ToArray();

        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation)
        {
            Calls[partition].Add("open");
            return ValueTask.CompletedTask;
        }

        public ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
        {
            Calls[batch.Partition].Add("batch");
            foreach (var packet in batch.Packets)
            {
                ulong hash = PacketParser.Parse(packet.LinkType, batch.Frame(packet), out var parsed) == MalformedReason.None
                    ? FlowKey.From(parsed, out _).StableHash
                    : 0;
                Packets[batch.Partition].Add((packet.SequenceNumber, batch.Partition, hash));
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation)
        {
            Calls[partition].Add("close:" + reason);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public void Feed_Conversations_EachFlowOnItsPartitionInCaptureOrder()
    {
        using var capture = TestTraffic.Capture(TestTraffic.Conversations(flows: 20, packetsEach: 10));
        var handler = new RecordingHandler(4);
        var log = new LocalPartitionedLog(4, batchPackets: 7);

        long frames = log.Feed(capture, handler);

        Assert.Equal(200, frames);
        Assert.Equal(200, handler.Packets.Sum(p => p.Count));
        for (int p = 0; p < 4; p++)
        {
            var packets = handler.Packets[p];
            Assert.All(packets, x => Assert.Equal(p, (int)(x.FlowHash % 4)));
            Assert.Equal(packets.Select(x => x.Sequence).Order(), packets.Select(x => x.Sequence));
            Assert.Equal("open", handler.Calls[p][0]);
            Assert.Equal("close:EndOfInput", handler.Calls[p][^1]);
            Assert.Equal(packets.Count == 0 ? -1 : packets[^1].Sequence, log.Checkpoints[p]);
        }
    }

    [Fact]
    public void Feed_ResumedAfterCheckpoints_FeedsOnlyLaterPacketsAndReportsEachCheckpointBeforeTheNextBatch()
    {
        var frames = TestTraffic.Conversations(flows: 20, packetsEach: 10);
        var whole = new RecordingHandler(2);
        var first = new LocalPartitionedLog(2, batchPackets: 7);
        using (var capture = TestTraffic.Capture(frames))
        {
            first.Feed(capture, whole);
        }
        long[] after = [whole.Packets[0][29].Sequence, -1];
        var resumed = new RecordingHandler(2);
        var stored = new List<(int Partition, long Sequence, int BatchesSeen)>();
        var log = new LocalPartitionedLog(2, batchPackets: 7)
        {
            ResumeAfter = after,
            Checkpointed = (partition, sequence, _) =>
            {
                lock (stored)
                {
                    stored.Add((partition, sequence, resumed.Calls[partition].Count(c => c == "batch")));
                }
                return ValueTask.CompletedTask;
            },
        };

        using (var capture = TestTraffic.Capture(frames))
        {
            log.Feed(capture, resumed);
        }

        Assert.Equal(whole.Packets[0].Skip(30).Select(p => p.Sequence), resumed.Packets[0].Select(p => p.Sequence));
        Assert.Equal(whole.Packets[1].Select(p => p.Sequence), resumed.Packets[1].Select(p => p.Sequence));
        Assert.Equal(30, log.Resumed);
        for (int p = 0; p < 2; p++)
        {
            var mine = stored.Where(s => s.Partition == p).ToList();
            // One checkpoint per batch, each written after its batch and before the next one.
            Assert.Equal(Enumerable.Range(1, mine.Count), mine.Select(s => s.BatchesSeen));
            Assert.Equal(resumed.Calls[p].Count(c => c == "batch"), mine.Count);
            Assert.Equal(resumed.Packets[p][^1].Sequence, mine[^1].Sequence);
        }
    }

    [Fact]
    public void Feed_HandlerStillBusy_NextBatchPreparedBeforeItIsHandled()
    {
        using var capture = TestTraffic.Capture(TestTraffic.Conversations(flows: 1, packetsEach: 40));
        var handler = new SlowHandler();
        var log = new LocalPartitionedLog(1, batchPackets: 10);

        log.Feed(capture, handler);

        // Every batch after the first was prepared while its predecessor was out, then handled.
        Assert.Equal(["handle 1", "prepare 11", "handle 11", "prepare 21", "handle 21", "prepare 31", "handle 31"], handler.Calls);
    }

    /// <summary>Takes a moment per batch, as the durable path does, so the log has time to hand over the next one.</summary>
    private sealed class SlowHandler : IPartitionBatchHandler
    {
        public List<string> Calls { get; } = [];

        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => ValueTask.CompletedTask;

        public async ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
        {
            lock (Calls)
            {
                Calls.Add($"handle {batch.Packets[0].SequenceNumber}");
            }
            await Task.Delay(200, cancellation);
        }

        public ValueTask PrepareAsync(PartitionBatch next, CancellationToken cancellation)
        {
            lock (Calls)
            {
                Calls.Add($"prepare {next.Packets[0].SequenceNumber}");
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => ValueTask.CompletedTask;
    }

    [Fact]
    public void Feed_GatedHandler_CheckpointsNoFurtherThanItStored()
    {
        using var capture = TestTraffic.Capture(TestTraffic.Conversations(flows: 1, packetsEach: 40));
        var handler = new StoresEveryOtherBatch();
        var stored = new List<long>();
        var log = new LocalPartitionedLog(1, batchPackets: 10) { Checkpointed = (_, sequence, _) => { stored.Add(sequence); return ValueTask.CompletedTask; } };

        log.Feed(capture, handler);

        Assert.Equal([20L, 40L], stored);
        Assert.Equal(40, log.Checkpoints[0]);
    }

    /// <summary>Stores its work at every second batch, as a group commit does.</summary>
    private sealed class StoresEveryOtherBatch : IPartitionBatchHandler, IPartitionCheckpointGate
    {
        private int _batches;
        private long _stored = -1;

        public long CheckpointableThrough(int partition) => _stored;

        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation)
        {
            if (++_batches % 2 == 0)
            {
                _stored = batch.LastSequenceNumber;
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => ValueTask.CompletedTask;
    }

    [Fact]
    public void Feed_CheckpointsForAnotherPartitionCount_AreRefused()
    {
        using var capture = TestTraffic.Capture(TestTraffic.Conversations(4, 4));
        var log = new LocalPartitionedLog(2) { ResumeAfter = [1, 2, 3] };

        var error = Assert.Throws<ArgumentException>(() => log.Feed(capture, new RecordingHandler(2)));

        Assert.Contains("3 checkpoints for 2 partitions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Feed_UnparsableFrames_GoRoundRobin()
    {
        var garbage = Enumerable.Range(0, 9).Select(_ => new byte[] { 1, 2, 3 }).ToList();
        using var capture = TestTraffic.Capture(garbage);
        var handler = new RecordingHandler(3);
        var log = new LocalPartitionedLog(3);

        log.Feed(capture, handler);

        Assert.All(handler.Packets, p => Assert.Equal(3, p.Count));
        Assert.All(handler.Packets, p => Assert.All(p, x => Assert.Equal(x.Partition, (int)(x.Sequence % 3))));
    }

    [Fact]
    public void Feed_HandlerFails_ThrowsOneLinePerPartitionNamingPacketsAndWhere()
    {
        using var capture = TestTraffic.Capture(TestTraffic.Conversations(4, 4));
        var log = new LocalPartitionedLog(2, batchPackets: 1000);

        var error = Assert.Throws<PartitionsFailedException>(() => log.Feed(capture, new FailingHandler()));

        Assert.Contains(error.InnerExceptions, e => e.Message == "handler bug");
        Assert.Equal([0, 1], error.Failures.Select(f => f.Partition).Order());
        var first = error.Failures.Single(f => f.Partition == 0);
        Assert.Matches(@"^partition 0 failed on packets \d+\.\.\d+: InvalidOperationException in FailingHandler\.HandleAsync: handler bug$", first.Describe());
        Assert.DoesNotContain('\n', error.Message);
    }

    private sealed class FailingHandler : IPartitionBatchHandler
    {
        public ValueTask OpenPartitionAsync(int partition, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask HandleAsync(PartitionBatch batch, CancellationToken cancellation) => throw new InvalidOperationException("handler bug");

        public ValueTask ClosePartitionAsync(int partition, PartitionCloseReason reason, CancellationToken cancellation) => ValueTask.CompletedTask;
    }
}
