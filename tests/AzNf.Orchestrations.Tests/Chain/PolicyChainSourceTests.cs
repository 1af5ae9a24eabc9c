using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using static AzNf.Orchestrations.Tests.TestUnits;

namespace AzNf.Orchestrations.Tests.Chain;

public class PolicyChainSourceTests
{
    [Fact]
    public async Task GetChainAsync_SameVersions_ReadAndBuiltOnce()
    {
        var reader = new FakePolicyReader();
        var source = new PolicyChainSource(reader);

        var first = await source.GetChainAsync("full", 1, 0, default);
        var second = await source.GetChainAsync("full", 1, 0, default);

        Assert.Same(first, second);
        Assert.Equal(1, reader.RuleSetReads);
        Assert.Equal(["counter", "firewall", "ids"], first.Chain.Stages.Select(s => s.Name));
    }

    [Fact]
    public async Task GetChainAsync_NewerRuleSetVersion_Rebuilt()
    {
        var reader = new FakePolicyReader();
        var source = new PolicyChainSource(reader);
        var first = await source.GetChainAsync("full", 1, 0, default);
        reader.RuleSet.Version = 2;

        var second = await source.GetChainAsync("full", 2, 0, default);

        Assert.NotSame(first.Chain, second.Chain);
        Assert.Equal(2, second.RuleSetVersion);
        Assert.NotEqual(first.RulesStamp, second.RulesStamp);
    }

    [Fact]
    public async Task GetChainAsync_NoRuleSet_ErrorNamesTheChain()
    {
        var source = new PolicyChainSource(new FakePolicyReader { RuleSet = new RuleSetState() });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => source.GetChainAsync("full", 1, 0, default).AsTask());

        Assert.Contains("chain 'full' has no rule set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blocklist_BlockedSource_FirewallDropsItsRunningFlow()
    {
        var reader = new FakePolicyReader();
        var runner = new ChainStepRunner(new PolicyChainSource(reader));
        var frames = new TcpConversation("127.0.0.1", 40001, "127.0.0.2", 80).Handshake().Client("GET / HTTP/1.0\r\n\r\n").Frames;
        var chain = TestChains.Full();
        var before = await runner.RunAsync(Step(chain, frames, 0, 3, null, blocklistVersion: 0));
        reader.Blocklist = new BlocklistState { Version = 1, Entries = { ["127.0.0.1"] = DateTime.MaxValue } };

        var after = await runner.RunAsync(Step(chain, frames, 3, 5, before.Snapshot, blocklistVersion: 1));

        Assert.All(before.Verdicts, v => Assert.False(v.Dropped));
        Assert.Equal((true, "firewall:blocklist"), (after.Verdicts[0].Dropped, after.Verdicts[0].Reason));
        Assert.False(after.Verdicts[1].Dropped);
    }

    private static ChainStepInput Step(AzNf.NetworkFunctions.Chain.ChainDefinition chain, List<byte[]> frames, int from, int to, byte[]? snapshot, long blocklistVersion)
    {
        var unit = Unit(chain, frames, from, to);
        return new ChainStepInput
        {
            ChainName = "full",
            FlowKey = unit.FlowKey,
            RuleSetVersion = 1,
            BlocklistVersion = blocklistVersion,
            FirstStage = 0,
            StageCount = 3,
            Snapshot = snapshot,
            Packets = unit.Packets,
        };
    }

    private sealed class FakePolicyReader : IPolicyReader
    {
        public RuleSetState RuleSet { get; set; } = new() { Version = 1, Text = RuleSetText.FromChainFile(TestChains.FullChainPath) };

        public BlocklistState? Blocklist { get; set; }

        public int RuleSetReads { get; private set; }

        public ValueTask<RuleSetState?> ReadRuleSetAsync(string chainName, CancellationToken cancellation)
        {
            RuleSetReads++;
            return ValueTask.FromResult<RuleSetState?>(RuleSet);
        }

        public ValueTask<BlocklistState?> ReadBlocklistAsync(CancellationToken cancellation) => ValueTask.FromResult(Blocklist);
    }
}
