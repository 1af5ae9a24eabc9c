using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Models;
using AzNf.Orchestrations.Tests.Fakes;

namespace AzNf.Orchestrations.Tests.Entities;

public class SourceShardEntityTests
{
    private static readonly DateTime Start = new(2026, 12, 4, 5, 0, 0, DateTimeKind.Utc);
    private static readonly SourceLimits Limits = new() { Alerts = 3, DistinctPorts = 4, NewFlows = 100, Window = TimeSpan.FromSeconds(60), BlockFor = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task Record_OneAddressOverItsThreshold_OnlyThatAddressBlocked()
    {
        var shard = new EntityHarness(new SourceShardEntity(new ManualClock(Start), Limits), SourceShardEntity.Name, "full:1");

        await shard.RunAsync("Record", SourceBatch.From([new SourceUpdate("10.6.6.6", 2, 0, 1, [80]), new SourceUpdate("10.0.0.9", 0, 0, 1, [443])]));
        await shard.RunAsync("Record", SourceBatch.From([new SourceUpdate("10.6.6.6", 1, 0, 0, []), new SourceUpdate("10.0.0.9", 0, 0, 1, [443])]));

        var signal = Assert.Single(shard.Context.Signals, s => s.Operation == "Block");
        var request = (BlockRequest)signal.Input!;
        Assert.Equal(("@blocklist@global", "10.6.6.6", Start.AddMinutes(5)), (signal.Target.ToString(), request.Address, request.UntilUtc));
        Assert.Contains("3 alerts", request.Reason, StringComparison.Ordinal);
        Assert.Equal(2, shard.Read<SourceShardState>()!.Sources);
    }

    [Fact]
    public async Task Record_AddressQuietForAWindow_DroppedFromTheMap()
    {
        var clock = new ManualClock(Start);
        var shard = new EntityHarness(new SourceShardEntity(clock, Limits), SourceShardEntity.Name, "full:1");
        await shard.RunAsync("Record", SourceBatch.From([new SourceUpdate("10.0.0.1", 0, 0, 1, [80])]));

        clock.Advance(TimeSpan.FromSeconds(61));
        await shard.RunAsync("Record", SourceBatch.From([new SourceUpdate("10.0.0.2", 0, 0, 1, [80])]));

        Assert.Equal(1, shard.Read<SourceShardState>()!.Sources);
    }

    [Fact]
    public void SourceBatch_RoundTrip_SameUpdates()
    {
        var updates = new List<SourceUpdate> { new("10.0.0.1", 1, 2, 3, [80, 443]), new("fd00::1", 0, 0, 1, []) };

        var read = SourceBatch.From(updates).Read("full:0");

        Assert.Equal(updates.Select(u => (u.Address, u.Alerts, u.Drops, u.NewFlows, string.Join(',', u.DestinationPorts))), read.Select(u => (u.Address, u.Alerts, u.Drops, u.NewFlows, string.Join(',', u.DestinationPorts))));
    }

    [Fact]
    public void SourceBatch_Garbage_RefusedNamingTheShard()
    {
        var error = Assert.Throws<InvalidDataException>(() => new SourceBatch([1, 2, 3, 4, 5]).Read("full:0"));

        Assert.Contains("source shard full:0", error.Message, StringComparison.Ordinal);
    }
}
