using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Orchestrators;
using AzNf.Orchestrations.Tests.Fakes;
using static AzNf.Orchestrations.Tests.TestUnits;

namespace AzNf.Orchestrations.Tests.Orchestrators;

/// <summary>The orchestrator, the real activities and the real flow entity, wired by hand with no backend.</summary>
public class NfChainEndToEndTests
{
    [Theory]
    [InlineData(ChainMode.Fused)]
    [InlineData(ChainMode.Staged)]
    public async Task ThreeUnits_SameVerdictsAlertsAndFlowAsOnePartition(ChainMode mode)
    {
        var chain = TestChains.Full();
        var frames = new TcpConversation("127.0.0.1", 40001, "127.0.0.2", 80)
            .Handshake().Client("GET /etc/pa").Client("sswd HTTP/1.0\r\n\r\n").Client("UNION ").Client("SELECT 1").Close().Frames;
        var whole = new ChainPartition(chain, 0);
        RunWhole(whole, frames, 0, frames.Count);
        whole.Finish();
        var runner = new ChainStepRunner(new FixedChainSource(chain));
        var flow = new EntityHarness(new FlowEntity(), FlowEntity.Name, KeyOf(frames[0]).ToString());
        var results = new List<ChainWorkResult>();

        foreach (var (from, to) in new[] { (0, 4), (4, 9), (9, frames.Count) })
        {
            var context = new FakeOrchestrationContext { Activity = (_, input) => runner.RunAsync(input) };
            context.EntityCalls[($"@flow@{flow.Context.Id.Key}", "Get")] = flow.Read<FlowEntityState>();
            results.Add(await new NfChainOrchestrator().RunAsync(context, Unit(chain, frames, from, to, mode)));
            await flow.RunAsync("Apply", context.Calls.Single(s => s.Operation == "Apply").Input);
        }

        Assert.Equal(whole.Alerts.Alerts.Select(a => (a.Sid, a.PacketIndex)), results.SelectMany(r => r.Alerts).Select(a => (a.Sid, a.PacketIndex)));
        Assert.Equal(2, whole.Alerts.Alerts.Count);
        Assert.Equal(frames.Count, results.Sum(r => r.Forwarded));
        var state = FlowSnapshot.Read(flow.Read<FlowEntityState>()!.Snapshot!, "flow");
        Assert.Equal(whole.FinishedFlows.Single(), FlowRecord.From(ref state, FlowEndReason.EndOfRun));
        Assert.Equal(frames.Count - 1, flow.Read<FlowEntityState>()!.Version);
    }
}
