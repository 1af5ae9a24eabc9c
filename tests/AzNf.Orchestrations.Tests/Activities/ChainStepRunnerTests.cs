using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Models;
using static AzNf.Orchestrations.Tests.TestUnits;

namespace AzNf.Orchestrations.Tests.Activities;

public class ChainStepRunnerTests
{
    // "/etc/passwd" (sample IDS rule 1000001) split across two segments, then a telnet attempt the firewall denies.
    private static List<byte[]> Traffic() =>
        new TcpConversation("127.0.0.1", 40001, "127.0.0.2", 80)
            .Handshake()
            .Client("GET /etc/pa")
            .Client("sswd HTTP/1.0\r\n\r\n")
            .Client("GET /index.html HTTP/1.0\r\n\r\n")
            .Close()
            .Frames;

    [Fact]
    public async Task RunAsync_UnitsSplitInsideTheContent_SameAlertsVerdictsAndCountsAsOnePartition()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var whole = new ChainPartition(chain, 0);
        RunWhole(whole, frames, 0, frames.Count);
        whole.Finish();
        var runner = new ChainStepRunner(new FixedChainSource(chain));
        const int Split = 5;

        var first = await runner.RunAsync(Step(chain, frames, 0, Split, snapshot: null));
        var second = await runner.RunAsync(Step(chain, frames, Split, frames.Count, first.Snapshot));

        var expected = whole.Alerts.Alerts.Select(a => (a.Sid, a.PacketIndex)).ToList();
        Assert.Single(expected);
        Assert.Equal(expected, first.Alerts.Concat(second.Alerts).Select(a => (a.Sid, a.PacketIndex)).ToList());
        var state = FlowSnapshot.Read(second.Snapshot!, "flow");
        Assert.Equal(whole.FinishedFlows.Single(), FlowRecord.From(ref state, FlowEndReason.EndOfRun));
        Assert.Equal(frames.Count, first.Verdicts.Count + second.Verdicts.Count);
        Assert.All(first.Verdicts.Concat(second.Verdicts), v => Assert.False(v.Dropped));
        Assert.True(first.NewFlow);
        Assert.False(second.NewFlow);
        Assert.Equal("127.0.0.1", first.Originator);
        Assert.Equal(80, first.ResponderPort);
    }

    [Fact]
    public async Task RunAsync_OneStageAtATime_SameResultAsAllStagesInOneStep()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var runner = new ChainStepRunner(new FixedChainSource(chain));
        var fused = await runner.RunAsync(Step(chain, frames, 0, frames.Count, null));

        byte[]? snapshot = null;
        var alerts = new List<ReportAlert>();
        var stages = new List<StageOutcome>();
        for (int s = 0; s < chain.Stages.Count; s++)
        {
            var output = await runner.RunAsync(Step(chain, frames, 0, frames.Count, snapshot) with { FirstStage = s, StageCount = 1 });
            snapshot = output.Snapshot;
            alerts.AddRange(output.Alerts);
            stages.AddRange(output.Stages);
        }

        Assert.Equal(fused.Alerts, alerts);
        Assert.Equal(fused.Stages.Select(s => (s.Stage, s.PacketsIn, s.PacketsOut, s.Drops)), stages.Select(s => (s.Stage, s.PacketsIn, s.PacketsOut, s.Drops)));
        Assert.Equal(fused.Snapshot, snapshot);
    }

    [Fact]
    public async Task RunAsync_FirewallDeniesTelnet_VerdictDropWithRuleReason()
    {
        var chain = TestChains.Full();
        var frames = new TcpConversation("10.9.9.9", 40002, "127.0.0.2", 23).Handshake().Frames;
        var runner = new ChainStepRunner(new FixedChainSource(chain));

        var output = await runner.RunAsync(Step(chain, frames, 0, 1, null));

        var verdict = Assert.Single(output.Verdicts);
        Assert.True(verdict.Dropped);
        Assert.StartsWith("firewall:rule:", verdict.Reason, StringComparison.Ordinal);
        Assert.Equal((1L, 1L, 1L), (output.Stages[1].PacketsIn, output.Stages[1].Drops, output.Stages[0].PacketsOut));
    }

    [Fact]
    public async Task RunAsync_DeadlineAlreadyPassed_LateWithoutState()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var runner = new ChainStepRunner(new FixedChainSource(chain));

        var output = await runner.RunAsync(Step(chain, frames, 0, frames.Count, null) with { DeadlineUtc = DateTime.UtcNow.AddSeconds(-1) });

        Assert.True(output.Late);
        Assert.Null(output.Snapshot);
        Assert.Empty(output.Verdicts);
    }

    [Fact]
    public async Task RunAsync_DeadlineAhead_RunsToTheEnd()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var runner = new ChainStepRunner(new FixedChainSource(chain));

        var output = await runner.RunAsync(Step(chain, frames, 0, frames.Count, null) with { DeadlineUtc = DateTime.UtcNow.AddHours(1) });

        Assert.False(output.Late);
        Assert.Equal(frames.Count, output.Verdicts.Count);
        Assert.Single(output.Alerts);
    }

    [Fact]
    public async Task RunAsync_PacketOfAnotherFlow_ErrorNamesTheFlow()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        frames.Insert(1, new TcpConversation("127.0.0.9", 1, "127.0.0.2", 80).Handshake().Frames[0]);
        var runner = new ChainStepRunner(new FixedChainSource(chain));
        var step = Step(chain, frames, 0, 3, null);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(step));

        Assert.Contains("flow " + step.FlowKey, error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CorruptSnapshot_ErrorNamesTheFlow()
    {
        var chain = TestChains.Full();
        var frames = Traffic();
        var runner = new ChainStepRunner(new FixedChainSource(chain));
        var step = Step(chain, frames, 0, 2, snapshot: [1, 2, 3]);

        var error = await Assert.ThrowsAsync<FlowSnapshotException>(() => runner.RunAsync(step));

        Assert.Equal(step.FlowKey, error.Flow);
    }

    [Fact]
    public async Task RunAsync_StageOutOfRange_ErrorNamesTheFlowAndChain()
    {
        var chain = TestChains.Full();
        var runner = new ChainStepRunner(new FixedChainSource(chain));
        var step = Step(chain, Traffic(), 0, 1, null) with { FirstStage = 3 };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(step));

        Assert.Contains("do not exist in chain 'full'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_PlanNamesAStageTheChainDoesNotHave_ErrorNamesFlowAndStage()
    {
        var chain = TestChains.Full();
        var runner = new ChainStepRunner(new FixedChainSource(chain));
        var step = Step(chain, Traffic(), 0, 1, null) with { FirstStage = 2, StageCount = 1, StageNames = ["dpi"] };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(step));

        Assert.Contains($"flow {step.FlowKey}: unknown stage 'dpi'", error.Message, StringComparison.Ordinal);
        Assert.Contains("is 'ids'", error.Message, StringComparison.Ordinal);
    }

    private static ChainStepInput Step(ChainDefinition chain, List<byte[]> frames, int from, int to, byte[]? snapshot)
    {
        var unit = Unit(chain, frames, from, to);
        return new ChainStepInput
        {
            ChainName = unit.ChainName,
            FlowKey = unit.FlowKey,
            RuleSetVersion = 1,
            BlocklistVersion = 0,
            FirstStage = 0,
            StageCount = chain.Stages.Count,
            Snapshot = snapshot,
            Packets = unit.Packets,
        };
    }
}
