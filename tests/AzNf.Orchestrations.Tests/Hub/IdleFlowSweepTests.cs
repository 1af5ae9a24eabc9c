using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Tests.Fakes;

namespace AzNf.Orchestrations.Tests.Hub;

public class IdleFlowSweepTests
{
    private const double IdleTimeoutSeconds = 600;
    private static readonly DateTime Start = new(2026, 11, 27, 5, 0, 0, DateTimeKind.Utc);
    private static readonly IdleFlowSweepOptions Defaults = new();

    // Defaults: retention 24 h = 86 400 s, grace 300 s; a live flow's idle timeout is 600 s.
    // dueAgo: how long before now the flow's Expire self-signal was due (negative: still ahead; null: none pending).
    [Theory]
    [InlineData(true, 10, -590.0, FlowSweepAction.None)] // active, expiry ahead
    [InlineData(true, 600, null, FlowSweepAction.None)] // idle exactly the timeout: not beyond it
    [InlineData(true, 601, null, FlowSweepAction.Expire)] // idle, no expiry pending
    [InlineData(true, 601, 1.0, FlowSweepAction.None)] // idle, expiry just due: queued, not lost
    [InlineData(true, 900, 300.0, FlowSweepAction.None)] // overdue by exactly the grace
    [InlineData(true, 901, 301.0, FlowSweepAction.Expire)] // overdue beyond the grace: lost
    [InlineData(true, 3600, -60.0, FlowSweepAction.None)] // idle, but a rescheduled expiry is ahead
    [InlineData(true, 200_000, null, FlowSweepAction.Expire)] // a live flow older than the retention is expired, never deleted
    [InlineData(false, 0, null, FlowSweepAction.None)] // tombstone just made (an ended flow's Apply)
    [InlineData(false, 86_400, null, FlowSweepAction.None)] // tombstone exactly at the retention
    [InlineData(false, 86_401, null, FlowSweepAction.Delete)] // tombstone past the retention
    [InlineData(false, 86_401, 86_000.0, FlowSweepAction.Delete)] // a pending expiry does not keep a tombstone
    public void Decide_Table(bool live, double idleSeconds, double? dueAgoSeconds, FlowSweepAction expected)
    {
        var now = Start.AddDays(3);
        var state = new FlowEntityState
        {
            Version = 9,
            Snapshot = live ? [1] : null,
            LastAppliedUtc = now.AddSeconds(-idleSeconds),
            IdleTimeoutSeconds = IdleTimeoutSeconds,
            ExpiryDueUtc = dueAgoSeconds is { } ago ? now.AddSeconds(-ago) : null,
        };

        var action = IdleFlowSweep.Decide(state, now, Defaults);

        Assert.Equal(expected, action);
    }

    [Fact]
    public void Decide_StateNeverApplied_TombstoneDeletedWithoutOverflow()
    {
        var state = new FlowEntityState { IgnoredApplies = 1 };

        var action = IdleFlowSweep.Decide(state, Start, Defaults);

        Assert.Equal(FlowSweepAction.Delete, action);
    }

    [Fact]
    public async Task SweepAsync_LostExpiryOldTombstoneAndActiveFlow_SignalsTheFirstTwoAndCounts()
    {
        var clock = new ManualClock(Start);
        var hub = new InMemoryFlowHub(clock);
        // "lost": applied at Start, its Expire self-signal (recorded by the harness) never delivered.
        await hub.Flow("lost").RunAsync("Apply", new FlowUpdate(1, [1], IdleTimeoutSeconds));
        await hub.Flow("old").RunAsync("Apply", new FlowUpdate(1, [2], IdleTimeoutSeconds));
        clock.Advance(TimeSpan.FromSeconds(IdleTimeoutSeconds));
        await hub.Flow("old").RunAsync("Expire");
        clock.Advance(TimeSpan.FromHours(25));
        await hub.Flow("active").RunAsync("Apply", new FlowUpdate(1, [3], IdleTimeoutSeconds));
        clock.Advance(TimeSpan.FromSeconds(60));

        var result = await IdleFlowSweep.SweepAsync(hub, clock.UtcNow, Defaults);

        Assert.Equal(new IdleFlowSweepResult(Scanned: 3, Live: 2, Tombstones: 1, ExpireSignals: 1, DeleteSignals: 1, Truncated: false), result);
        Assert.Equal([("lost", nameof(FlowEntity.Expire)), ("old", nameof(FlowEntity.DeleteTombstone))], hub.Signals.Select(s => (s.Key, s.Operation)));
        Assert.Equal(new FlowDeleteRequest(86_400), hub.Signals[1].Input);
        Assert.Equal(["active", "lost"], hub.KeysWithState);
        Assert.Null(hub.Flow("lost").Read<FlowEntityState>()!.Snapshot);
        Assert.Equal([3], hub.Flow("active").Read<FlowEntityState>()!.Snapshot);
    }

    [Fact]
    public async Task SweepAsync_MoreDueThanTheLimit_StopsAtTheLimitAndTheNextSweepFinishes()
    {
        var (hub, clock) = await OldTombstonesAsync(5);
        var options = new IdleFlowSweepOptions { MaxSignalsPerSweep = 3 };

        var first = await IdleFlowSweep.SweepAsync(hub, clock.UtcNow, options);
        var second = await IdleFlowSweep.SweepAsync(hub, clock.UtcNow, options);

        Assert.Equal(new IdleFlowSweepResult(3, 0, 3, 0, 3, Truncated: true), first);
        Assert.Equal(new IdleFlowSweepResult(2, 0, 2, 0, 2, Truncated: false), second);
        Assert.Empty(hub.KeysWithState);
    }

    [Fact]
    public async Task SweepAsync_DueExactlyTheLimit_NotTruncated()
    {
        var (hub, clock) = await OldTombstonesAsync(3);

        var result = await IdleFlowSweep.SweepAsync(hub, clock.UtcNow, new IdleFlowSweepOptions { MaxSignalsPerSweep = 3 });

        Assert.Equal(new IdleFlowSweepResult(3, 0, 3, 0, 3, Truncated: false), result);
    }

    [Fact]
    public async Task SweepAsync_NothingDueAtTheLimit_ScansOnWithoutTruncating()
    {
        var (hub, clock) = await OldTombstonesAsync(2);
        await hub.Flow("z-active").RunAsync("Apply", new FlowUpdate(1, [1], IdleTimeoutSeconds));

        var result = await IdleFlowSweep.SweepAsync(hub, clock.UtcNow, new IdleFlowSweepOptions { MaxSignalsPerSweep = 2 });

        Assert.Equal(new IdleFlowSweepResult(3, 1, 2, 0, 2, Truncated: false), result);
    }

    [Fact]
    public async Task SweepAsync_NoFlows_AllZero()
    {
        var hub = new InMemoryFlowHub(new ManualClock(Start));

        var result = await IdleFlowSweep.SweepAsync(hub, Start, Defaults);

        Assert.Equal(new IdleFlowSweepResult(0, 0, 0, 0, 0, false), result);
        Assert.Empty(hub.Signals);
    }

    [Theory]
    [InlineData(0, 300, 10)]
    [InlineData(86_400, -1, 10)]
    [InlineData(86_400, 300, 0)]
    public async Task SweepAsync_InvalidOptions_ThrowsBeforeReading(double retentionSeconds, double graceSeconds, int maxSignals)
    {
        var (hub, clock) = await OldTombstonesAsync(1);
        var options = new IdleFlowSweepOptions { TombstoneRetention = TimeSpan.FromSeconds(retentionSeconds), ExpiryGrace = TimeSpan.FromSeconds(graceSeconds), MaxSignalsPerSweep = maxSignals };

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => IdleFlowSweep.SweepAsync(hub, clock.UtcNow, options));

        Assert.Empty(hub.Signals);
    }

    // Tombstones t0, t1… expired after their idle timeout, the clock then 25 h on.
    private static async Task<(InMemoryFlowHub Hub, ManualClock Clock)> OldTombstonesAsync(int count)
    {
        var clock = new ManualClock(Start);
        var hub = new InMemoryFlowHub(clock);
        for (int i = 0; i < count; i++)
        {
            await hub.Flow($"t{i}").RunAsync("Apply", new FlowUpdate(1, [1], IdleTimeoutSeconds));
        }
        clock.Advance(TimeSpan.FromSeconds(IdleTimeoutSeconds));
        for (int i = 0; i < count; i++)
        {
            await hub.Flow($"t{i}").RunAsync("Expire");
        }
        clock.Advance(TimeSpan.FromHours(25));
        return (hub, clock);
    }
}
