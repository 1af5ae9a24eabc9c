using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Tests.Fakes;

namespace AzNf.Orchestrations.Tests.Entities;

public class SharedEntityTests
{
    private static readonly DateTime Start = new(2026, 11, 27, 5, 0, 0, DateTimeKind.Utc);
    private static readonly SourceLimits Limits = new() { Alerts = 3, DistinctPorts = 4, NewFlows = 100, Window = TimeSpan.FromSeconds(60), BlockFor = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task Source_AlertsReachTheThreshold_BlocklistSignalledOnce()
    {
        var source = new EntityHarness(new SourceEntity(new ManualClock(Start), Limits), SourceEntity.Name, "10.6.6.6");

        await source.RunAsync("Record", new SourceDelta(2, 0, 1, [80]));
        await source.RunAsync("Record", new SourceDelta(1, 0, 0, []));
        await source.RunAsync("Record", new SourceDelta(5, 0, 0, []));

        var signal = Assert.Single(source.Context.Signals, s => s.Operation == "Block");
        Assert.Equal(("@blocklist@global", "Block"), (signal.Target.ToString(), signal.Operation));
        var request = (BlockRequest)signal.Input!;
        Assert.Equal(("10.6.6.6", Start.AddMinutes(5)), (request.Address, request.UntilUtc));
        Assert.Contains("3 alerts", request.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Source_DistinctPortsReachTheThreshold_Blocked()
    {
        var source = new EntityHarness(new SourceEntity(new ManualClock(Start), Limits), SourceEntity.Name, "10.6.6.7");

        foreach (ushort port in new ushort[] { 21, 22, 22, 23 })
        {
            await source.RunAsync("Record", new SourceDelta(0, 1, 1, [port]));
        }
        Assert.DoesNotContain(source.Context.Signals, s => s.Operation == "Block");
        await source.RunAsync("Record", new SourceDelta(0, 1, 1, [25]));

        Assert.Contains("4 destination ports", ((BlockRequest)Assert.Single(source.Context.Signals, s => s.Operation == "Block").Input!).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Source_WindowPassed_CountsStartAgain()
    {
        var clock = new ManualClock(Start);
        var source = new EntityHarness(new SourceEntity(clock, Limits), SourceEntity.Name, "10.6.6.8");

        await source.RunAsync("Record", new SourceDelta(2, 0, 0, []));
        clock.Advance(TimeSpan.FromSeconds(61));
        await source.RunAsync("Record", new SourceDelta(2, 0, 0, []));

        Assert.DoesNotContain(source.Context.Signals, s => s.Operation == "Block");
        Assert.Equal(2, source.Read<SourceEntityState>()!.Alerts);
    }

    [Fact]
    public async Task Source_QuietForAWindow_ExpiryDeletesIt()
    {
        var clock = new ManualClock(Start);
        var source = new EntityHarness(new SourceEntity(clock, Limits), SourceEntity.Name, "10.6.6.9");
        await source.RunAsync("Record", new SourceDelta(1, 0, 0, []));
        var expiry = Assert.Single(source.Context.Signals);
        clock.Advance(TimeSpan.FromSeconds(60));

        await source.RunAsync("Expire");

        Assert.Equal(("Expire", new DateTimeOffset(Start.AddSeconds(60))), (expiry.Operation, expiry.Options!.SignalTime!.Value));
        Assert.False(source.State.HasState);
    }

    [Fact]
    public async Task Source_BlockStillRunning_ExpiryWaitsForItsEnd()
    {
        var clock = new ManualClock(Start);
        var source = new EntityHarness(new SourceEntity(clock, Limits), SourceEntity.Name, "10.6.6.10");
        await source.RunAsync("Record", new SourceDelta(3, 0, 0, []));
        clock.Advance(TimeSpan.FromSeconds(60));

        await source.RunAsync("Expire");

        Assert.True(source.State.HasState);
        Assert.Equal(new DateTimeOffset(Start.AddMinutes(5)), source.Context.Signals[^1].Options!.SignalTime);
    }

    [Fact]
    public async Task Blocklist_BlockThenPrunePastTheEnd_VersionBumpedTwiceAndEntryGone()
    {
        var clock = new ManualClock(Start);
        var blocklist = new EntityHarness(new BlocklistEntity(clock), BlocklistEntity.Name, BlocklistEntity.Key);

        await blocklist.RunAsync("Block", new BlockRequest("10.6.6.6", Start.AddMinutes(5), "test"));
        var blocked = blocklist.Read<BlocklistState>()!;
        clock.Advance(TimeSpan.FromMinutes(5));
        await blocklist.RunAsync("Prune");
        var pruned = blocklist.Read<BlocklistState>()!;

        Assert.Equal((1L, Start.AddMinutes(5)), (blocked.Version, blocked.Entries["10.6.6.6"]));
        Assert.Equal(("Prune", new DateTimeOffset(Start.AddMinutes(5))), (blocklist.Context.Signals[0].Operation, blocklist.Context.Signals[0].Options!.SignalTime!.Value));
        Assert.Equal(2, pruned.Version);
        Assert.Empty(pruned.Entries);
    }

    [Fact]
    public async Task Blocklist_NotAnAddress_Refused()
    {
        var blocklist = new EntityHarness(new BlocklistEntity(), BlocklistEntity.Name, BlocklistEntity.Key);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => blocklist.RunAsync("Block", new BlockRequest("evil.example", Start, "test")));

        Assert.Contains("'evil.example' is not an IP address", Innermost(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counters_TwoUnits_Summed()
    {
        var counters = new EntityHarness(new GlobalCountersEntity(), GlobalCountersEntity.Name, GlobalCountersEntity.Key);

        await counters.RunAsync("Add", new CounterDelta(1, 0, 10, 1000, 1, 2, new Dictionary<string, long> { ["ids"] = 1 }));
        await counters.RunAsync("Add", new CounterDelta(1, 1, 5, 500, 0, 1, new Dictionary<string, long> { ["ids"] = 2, ["chain"] = 1 }));

        var state = counters.Read<GlobalCountersState>()!;
        Assert.Equal((2L, 1L, 15L, 1500L, 1L, 3L), (state.Units, state.Duplicates, state.Packets, state.Bytes, state.Alerts, state.Drops));
        Assert.Equal((3L, 1L), (state.DeadlineMissesByStage["ids"], state.DeadlineMissesByStage["chain"]));
    }

    [Fact]
    public async Task RuleSet_Replace_ValidRulesBumpTheVersion()
    {
        var ruleSet = new EntityHarness(new RuleSetEntity(), RuleSetEntity.Name, "full");

        var version = await ruleSet.RunAsync("Replace", RuleSetText.FromChainFile(TestChains.FullChainPath));

        Assert.Equal(1L, version);
        Assert.Equal(1, ruleSet.Read<RuleSetState>()!.Version);
    }

    [Fact]
    public async Task RuleSet_ReplaceWithABadFirewallRule_RefusedWithTheLoadersErrorAndStateKept()
    {
        var ruleSet = new EntityHarness(new RuleSetEntity(), RuleSetEntity.Name, "full");
        var good = RuleSetText.FromChainFile(TestChains.FullChainPath);
        await ruleSet.RunAsync("Replace", good);
        var rules = new Dictionary<string, string>(good.RuleFiles) { ["../rules/firewall.rules"] = "allow tcp from any to any\ndeny sctp from any to any\n" };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ruleSet.RunAsync("Replace", good with { RuleFiles = rules }));

        var config = Assert.IsType<ConfigException>(Innermost(error));
        Assert.Equal("../rules/firewall.rules:2", config.Where);
        Assert.DoesNotContain(Path.GetTempPath(), config.Message, StringComparison.Ordinal);
        Assert.Equal(1, ruleSet.Read<RuleSetState>()!.Version);
        Assert.Equal(good.RuleFiles["../rules/firewall.rules"], ruleSet.Read<RuleSetState>()!.Text!.RuleFiles["../rules/firewall.rules"]);
    }

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is not null && error is not ConfigException)
        {
            error = error.InnerException;
        }
        return error;
    }
}
