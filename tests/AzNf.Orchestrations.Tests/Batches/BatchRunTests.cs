using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Models;
using static AzNf.Orchestrations.Tests.Batches.BatchTestData;

namespace AzNf.Orchestrations.Tests.Batches;

public class BatchRunTests
{
    private static readonly SliceRef[] Slices = [new(0, 0, 100, 10, 1000, "h0"), new(2, 100, 50, 5, 500, "h2")];

    private static ShardStepResult Done(int shard, int packets, params int[] dropped) => new()
    {
        Shard = shard,
        Packets = packets,
        Bytes = packets * 100,
        DroppedPackets = dropped,
        DropReasons = dropped.Select(_ => 0).ToArray(),
        Reasons = ["firewall:rule:1"],
        Stages = [new("counter", packets, packets, 0, 1, false, null), new("firewall", packets, packets - dropped.Length, dropped.Length, 1, false, null), new("ids", packets - dropped.Length, packets - dropped.Length, 0, 1, false, null)],
        Sources = [new SourceUpdate("10.0.0.1", 0, dropped.Length, 1, [80])],
    };

    [Theory]
    [InlineData(DeadlinePolicy.FailOpen)]
    [InlineData(DeadlinePolicy.FailClosed)]
    [InlineData(DeadlinePolicy.Skip)]
    public void Missed_OneSliceLate_ItsPacketsGetThePolicyTheOthersTheirVerdicts(DeadlinePolicy policy)
    {
        var chain = TestChains.Full();
        var run = new BatchRun(ChainBatch(chain, Slices));

        run.Finished(0, 0, Done(0, 10, 3, 4));
        run.Missed(1, 0, 3, policy, "chain");
        var result = run.Result();

        Assert.Equal(15, result.Packets);
        Assert.Equal(1500, result.Bytes);
        Assert.True(result.ChainDeadlineMissed);
        Assert.Equal(1, result.LateSteps);
        Assert.Equal([0], result.ShardsCompleted);
        Assert.Equal(2, result.DropReasons["firewall:rule:1"]);
        if (policy == DeadlinePolicy.FailClosed)
        {
            Assert.Equal(7, result.Dropped);
            Assert.Equal(5, result.DropReasons["deadline:chain"]);
            Assert.Equal(5, result.Stages[0].Drops);
        }
        else
        {
            Assert.Equal(2, result.Dropped);
            Assert.False(result.DropReasons.ContainsKey("deadline:chain"));
            Assert.Equal(15, result.Stages[0].PacketsOut);
        }
        Assert.All(result.Stages, s => Assert.Equal(policy, s.AppliedPolicy));
        Assert.Equal(1, run.CounterDelta().DeadlineMissesByStage["chain"]);
    }

    [Fact]
    public void Missed_StagePolicyInStagedMode_LaterStagesStillRunOnTheForwardedPackets()
    {
        var chain = TestChains.Full();
        var run = new BatchRun(ChainBatch(chain, Slices));
        var counterOnly = Done(0, 10) with { Stages = [new("counter", 10, 10, 0, 1, false, null)] };

        run.Finished(0, 0, counterOnly);
        run.Missed(0, 1, 2, DeadlinePolicy.FailOpen, "firewall");

        Assert.True(run.HasPending(0));
        Assert.False(run.Result().ChainDeadlineMissed);
        Assert.True(run.Result().Stages[1].DeadlineMissed);
        Assert.False(run.Result().Stages[2].DeadlineMissed);
    }

    [Fact]
    public void SourceUpdates_TwoShardsSameSource_MergedIntoOneUpdatePerSourceShard()
    {
        var chain = TestChains.Full();
        var run = new BatchRun(ChainBatch(chain, Slices));

        run.Finished(0, 0, Done(0, 10, 1));
        run.Finished(1, 0, Done(2, 5, 2) with { Sources = [new SourceUpdate("10.0.0.1", 1, 1, 1, [443])] });
        var updates = run.SourceUpdates().ToList();

        var merged = Assert.Single(Assert.Single(updates).Updates);
        Assert.Equal(FlowShards.SourceEntityKey(chain.Name, "10.0.0.1", 2), updates[0].Key);
        Assert.Equal((1L, 2L, 2L), (merged.Alerts, merged.Drops, merged.NewFlows));
        Assert.Equal(new ushort[] { 80, 443 }, merged.DestinationPorts.Order());
    }
}
