using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Tests.Fakes;

namespace AzNf.Orchestrations.Tests.Entities;

public sealed class ChainSwitchEntityTests
{
    private static readonly DateTime Start = new(2026, 11, 27, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Start_NewChain_RunningAtVersionOneWithWhoAndWhen()
    {
        var entity = new EntityHarness(new ChainSwitchEntity(new ManualClock(Start)), ChainSwitchEntity.Name, "full");

        long version = (long)(await entity.RunAsync(nameof(ChainSwitchEntity.Start), "http"))!;

        var state = entity.Read<ChainSwitchState>()!;
        Assert.Equal(1, version);
        Assert.True(state.Running);
        Assert.Equal(Start, state.ChangedUtc);
        Assert.Equal("http", state.Reason);
    }

    [Fact]
    public async Task Start_AlreadyRunning_NoNewVersion()
    {
        var clock = new ManualClock(Start);
        var entity = new EntityHarness(new ChainSwitchEntity(clock), ChainSwitchEntity.Name, "full");
        await entity.RunAsync(nameof(ChainSwitchEntity.Start), "first");
        clock.Advance(TimeSpan.FromMinutes(5));

        long version = (long)(await entity.RunAsync(nameof(ChainSwitchEntity.Start), "again"))!;

        var state = entity.Read<ChainSwitchState>()!;
        Assert.Equal(1, version);
        Assert.Equal(Start, state.ChangedUtc);
        Assert.Equal("first", state.Reason);
    }

    [Fact]
    public async Task Stop_ThenStart_EachChangeBumpsTheVersion()
    {
        var entity = new EntityHarness(new ChainSwitchEntity(new ManualClock(Start)), ChainSwitchEntity.Name, "full");
        await entity.RunAsync(nameof(ChainSwitchEntity.Start), "a");

        long stopped = (long)(await entity.RunAsync(nameof(ChainSwitchEntity.Stop), "b"))!;
        bool runningAfterStop = entity.Read<ChainSwitchState>()!.Running;
        long restarted = (long)(await entity.RunAsync(nameof(ChainSwitchEntity.Start), "c"))!;

        Assert.Equal(2, stopped);
        Assert.False(runningAfterStop);
        Assert.Equal(3, restarted);
        Assert.True(entity.Read<ChainSwitchState>()!.Running);
    }

    [Fact]
    public async Task Stop_NeverStarted_RecordsTheStoppedStateOnce()
    {
        var entity = new EntityHarness(new ChainSwitchEntity(new ManualClock(Start)), ChainSwitchEntity.Name, "full");

        long first = (long)(await entity.RunAsync(nameof(ChainSwitchEntity.Stop), "x"))!;
        long second = (long)(await entity.RunAsync(nameof(ChainSwitchEntity.Stop), "y"))!;

        Assert.Equal(1, first);
        Assert.Equal(1, second);
        Assert.False(entity.Read<ChainSwitchState>()!.Running);
    }
}
