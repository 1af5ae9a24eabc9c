using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Tests.Fakes;

namespace AzNf.Orchestrations.Tests.Entities;

public class FlowEntityTests
{
    private const string Key = "udp 10.0.0.1:5000 <-> 10.0.0.2:53";
    private static readonly DateTime Start = new(2026, 11, 27, 5, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Apply_NewerVersion_StoredAndReturnedByGet()
    {
        var (flow, _) = Flow();

        bool applied = (bool)(await flow.RunAsync("Apply", new FlowUpdate(7, [1, 2, 3], 30)))!;
        var state = (FlowEntityState?)await flow.RunAsync("Get");

        Assert.True(applied);
        Assert.Equal(7, state!.Version);
        Assert.Equal([1, 2, 3], state.Snapshot);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(6)]
    public async Task Apply_SameOrOlderVersion_IgnoredAndCounted(long version)
    {
        var (flow, _) = Flow();
        await flow.RunAsync("Apply", new FlowUpdate(7, [1], 30));

        bool applied = (bool)(await flow.RunAsync("Apply", new FlowUpdate(version, [9], 30)))!;

        var state = flow.Read<FlowEntityState>()!;
        Assert.False(applied);
        Assert.Equal([1], state.Snapshot);
        Assert.Equal(1, state.IgnoredApplies);
    }

    [Fact]
    public async Task Get_NeverApplied_NullAndNoStateCreated()
    {
        var (flow, _) = Flow();

        var state = await flow.RunAsync("Get");

        Assert.Null(state);
        Assert.False(flow.State.HasState);
    }

    [Fact]
    public async Task Apply_Twice_OneExpirySelfSignalOneTimeoutAhead()
    {
        var (flow, clock) = Flow();

        await flow.RunAsync("Apply", new FlowUpdate(1, [1], 30));
        clock.Advance(TimeSpan.FromSeconds(5));
        await flow.RunAsync("Apply", new FlowUpdate(2, [2], 30));

        var signal = Assert.Single(flow.Context.Signals);
        Assert.Equal(("@flow@" + Key, "Expire"), (signal.Target.ToString(), signal.Operation));
        Assert.Equal(new DateTimeOffset(Start.AddSeconds(30)), signal.Options!.SignalTime);
    }

    [Fact]
    public async Task Expire_IdleForTheTimeout_SnapshotDroppedVersionKept()
    {
        var (flow, clock) = Flow();
        await flow.RunAsync("Apply", new FlowUpdate(1, [1], 30));
        clock.Advance(TimeSpan.FromSeconds(30));

        await flow.RunAsync("Expire");

        var state = flow.Read<FlowEntityState>()!;
        Assert.Null(state.Snapshot);
        Assert.Equal(1, state.Version);
    }

    [Fact]
    public async Task Apply_OldUnitAfterExpiry_IgnoredNotCountedAgain()
    {
        var (flow, clock) = Flow();
        await flow.RunAsync("Apply", new FlowUpdate(5, [1], 30));
        clock.Advance(TimeSpan.FromSeconds(30));
        await flow.RunAsync("Expire");

        bool applied = (bool)(await flow.RunAsync("Apply", new FlowUpdate(5, [9], 30)))!;

        Assert.False(applied);
        Assert.Null(flow.Read<FlowEntityState>()!.Snapshot);
    }

    [Fact]
    public async Task Apply_ShortClassTimeout_ExpiryNoSoonerThanTheMinimum()
    {
        var flow = new EntityHarness(new FlowEntity(new ManualClock(Start), TimeSpan.FromMinutes(10)), FlowEntity.Name, Key);

        await flow.RunAsync("Apply", new FlowUpdate(1, [1], 5));

        Assert.Equal(new DateTimeOffset(Start.AddMinutes(10)), Assert.Single(flow.Context.Signals).Options!.SignalTime);
    }

    [Fact]
    public async Task Expire_AppliedSince_KeptAndRescheduledFromTheLastApply()
    {
        var (flow, clock) = Flow();
        await flow.RunAsync("Apply", new FlowUpdate(1, [1], 30));
        clock.Advance(TimeSpan.FromSeconds(20));
        await flow.RunAsync("Apply", new FlowUpdate(2, [2], 30));
        clock.Advance(TimeSpan.FromSeconds(10));

        await flow.RunAsync("Expire");

        Assert.Equal(2, flow.Read<FlowEntityState>()!.Version);
        Assert.Equal(2, flow.Context.Signals.Count);
        Assert.Equal(new DateTimeOffset(Start.AddSeconds(50)), flow.Context.Signals[1].Options!.SignalTime);
    }

    [Fact]
    public async Task Get_StateNotDeserializable_Throws()
    {
        var (flow, _) = Flow();
        flow.State.Json = "{\"Version\":\"not a number\"}";

        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() => flow.RunAsync("Get"));
    }

    private static (EntityHarness Flow, ManualClock Clock) Flow()
    {
        var clock = new ManualClock(Start);
        return (new EntityHarness(new FlowEntity(clock, TimeSpan.Zero), FlowEntity.Name, Key), clock);
    }
}
