using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Tests.Fakes;

namespace AzNf.Orchestrations.Tests.Entities;

public class FlowEntityDeleteTests
{
    private const string Key = "udp 10.0.0.1:5000 <-> 10.0.0.2:53";
    private const double RetentionSeconds = 24 * 3600;
    private static readonly DateTime Start = new(2026, 11, 27, 5, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Delete_TombstonePastRetention_EntityRemoved()
    {
        var (flow, clock) = await TombstoneAsync();
        clock.Advance(TimeSpan.FromSeconds(RetentionSeconds + 1 - 30));

        bool deleted = (bool)(await flow.RunAsync(nameof(FlowEntity.DeleteTombstone), new FlowDeleteRequest(RetentionSeconds)))!;

        Assert.True(deleted);
        Assert.False(flow.State.HasState);
    }

    [Fact]
    public async Task Delete_TombstoneExactlyAtRetention_KeptWithItsVersion()
    {
        var (flow, clock) = await TombstoneAsync();
        clock.Advance(TimeSpan.FromSeconds(RetentionSeconds - 30));

        bool deleted = (bool)(await flow.RunAsync(nameof(FlowEntity.DeleteTombstone), new FlowDeleteRequest(RetentionSeconds)))!;

        Assert.False(deleted);
        var state = flow.Read<FlowEntityState>()!;
        Assert.Equal(1, state.Version);
        Assert.Null(state.Snapshot);
    }

    [Fact]
    public async Task Delete_LiveSnapshotFarPastRetention_Kept()
    {
        var (flow, clock) = Flow();
        await flow.RunAsync("Apply", new FlowUpdate(1, [1, 2], 30));
        clock.Advance(TimeSpan.FromDays(30));

        bool deleted = (bool)(await flow.RunAsync(nameof(FlowEntity.DeleteTombstone), new FlowDeleteRequest(RetentionSeconds)))!;

        Assert.False(deleted);
        Assert.Equal([1, 2], flow.Read<FlowEntityState>()!.Snapshot);
    }

    [Fact]
    public async Task Delete_AppliedAfterTheSweepSawTheTombstone_ApplyWins()
    {
        var (flow, clock) = await TombstoneAsync();
        clock.Advance(TimeSpan.FromDays(2));
        await flow.RunAsync("Apply", new FlowUpdate(2, [7], 30));

        bool deleted = (bool)(await flow.RunAsync(nameof(FlowEntity.DeleteTombstone), new FlowDeleteRequest(RetentionSeconds)))!;

        Assert.False(deleted);
        var state = flow.Read<FlowEntityState>()!;
        Assert.Equal(2, state.Version);
        Assert.Equal([7], state.Snapshot);
    }

    [Fact]
    public async Task Delete_EndedFlowAppliedWithinRetention_Kept()
    {
        var (flow, clock) = Flow();
        await flow.RunAsync("Apply", new FlowUpdate(1, [1], 30));
        clock.Advance(TimeSpan.FromDays(2));
        await flow.RunAsync("Apply", new FlowUpdate(2, null, 30));
        clock.Advance(TimeSpan.FromHours(1));

        bool deleted = (bool)(await flow.RunAsync(nameof(FlowEntity.DeleteTombstone), new FlowDeleteRequest(RetentionSeconds)))!;

        Assert.False(deleted);
        Assert.Equal(2, flow.Read<FlowEntityState>()!.Version);
    }

    [Fact]
    public async Task Delete_NeverApplied_NoStateCreated()
    {
        var (flow, _) = Flow();

        bool deleted = (bool)(await flow.RunAsync(nameof(FlowEntity.DeleteTombstone), new FlowDeleteRequest(RetentionSeconds)))!;

        Assert.False(deleted);
        Assert.False(flow.State.HasState);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task Delete_RetentionNotPositive_ThrowsAndKeepsTheTombstone(double retentionSeconds)
    {
        var (flow, clock) = await TombstoneAsync();
        clock.Advance(TimeSpan.FromDays(2));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => flow.RunAsync(nameof(FlowEntity.DeleteTombstone), new FlowDeleteRequest(retentionSeconds)));

        Assert.Equal(1, flow.Read<FlowEntityState>()!.Version);
    }

    // Applied at Start, expired 30 s later: the clock is at Start + 30 s.
    private static async Task<(EntityHarness Flow, ManualClock Clock)> TombstoneAsync()
    {
        var (flow, clock) = Flow();
        await flow.RunAsync("Apply", new FlowUpdate(1, [1], 30));
        clock.Advance(TimeSpan.FromSeconds(30));
        await flow.RunAsync("Expire");
        Assert.Null(flow.Read<FlowEntityState>()!.Snapshot);
        return (flow, clock);
    }

    private static (EntityHarness Flow, ManualClock Clock) Flow()
    {
        var clock = new ManualClock(Start);
        return (new EntityHarness(new FlowEntity(clock, TimeSpan.Zero), FlowEntity.Name, Key), clock);
    }
}
