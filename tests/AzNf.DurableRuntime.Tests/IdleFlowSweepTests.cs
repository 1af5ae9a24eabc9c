using AzNf.NetworkFunctions.Chain;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using AzNf.Generators;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using AzNf.TestOracles;

namespace AzNf.DurableRuntime.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class IdleFlowSweepTests(AzuriteFixture azurite)
{
    // The entity raises any class timeout to FlowEntity.MinimumIdleTimeout in wall-clock time.
    private static readonly TimeSpan EntityIdle = FlowEntity.MinimumIdleTimeout;

    [Fact]
    public async Task SweepAsync_TwoLiveFlowsSweptTwoHoursAhead_ExpireSignalledAndEachFlowReschedulesFromItsLastApply()
    {
        await using var host = await StartHostAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var flows = Snapshots(2);
        var first = await ApplyAsync(host, flows, version: 1, timeout.Token);
        // A second Apply moves LastAppliedUtc but not the expiry the first one scheduled.
        var before = await ApplyAsync(host, flows, version: 2, timeout.Token);

        var result = await IdleFlowSweep.SweepAsync(host, DateTime.UtcNow + TimeSpan.FromHours(2), new IdleFlowSweepOptions(), timeout.Token);
        var after = new List<FlowEntityState>();
        for (int i = 0; i < flows.Count; i++)
        {
            var due = before[i].ExpiryDueUtc;
            after.Add((await WaitForAsync(host, flows[i].Key, s => s is not null && s.ExpiryDueUtc != due, "moved its expiry", timeout.Token))!);
        }

        Assert.Equal(new IdleFlowSweepResult(Scanned: 2, Live: 2, Tombstones: 0, ExpireSignals: 2, DeleteSignals: 0, Truncated: false), result);
        for (int i = 0; i < flows.Count; i++)
        {
            Assert.Equal(first[i].LastAppliedUtc + EntityIdle, before[i].ExpiryDueUtc);
            Assert.True(before[i].LastAppliedUtc > first[i].LastAppliedUtc);
            // By the entity's own clock the flow is not idle: Expire kept it and moved the expiry.
            Assert.Equal(before[i].LastAppliedUtc + EntityIdle, after[i].ExpiryDueUtc);
            Assert.Equal(flows[i].Snapshot, after[i].Snapshot);
            Assert.Equal(1, FlowSnapshot.Read(after[i].Snapshot!, flows[i].Key).PacketsAToB);
        }
    }

    [Fact]
    public async Task SweepAsync_EndedFlowPastTheRetention_DeleteSignalledAndTheEntityRemoved()
    {
        await using var host = await StartHostAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var flows = Snapshots(2);
        var (ended, live) = (flows[0].Key, flows[1].Key);
        var options = new IdleFlowSweepOptions { TombstoneRetention = TimeSpan.FromSeconds(1) };
        // An ended flow's last unit stores no snapshot: a tombstone at once.
        await host.SignalEntityAsync(FlowEntity.Name, ended, nameof(FlowEntity.Apply), new FlowUpdate(1, null, 60), timeout.Token);
        await host.SignalEntityAsync(FlowEntity.Name, live, nameof(FlowEntity.Apply), new FlowUpdate(1, flows[1].Snapshot, 60), timeout.Token);
        var tombstone = await WaitForAsync(host, ended, s => s?.Version == 1, "stored version 1", timeout.Token);
        await WaitForAsync(host, live, s => s?.Version == 1, "stored version 1", timeout.Token);
        // The entity re-checks the retention by its own clock (this machine's), so the sweep starts once it has passed there.
        while (DateTime.UtcNow - tombstone!.LastAppliedUtc <= options.TombstoneRetention)
        {
            await Task.Delay(100, timeout.Token);
        }

        var result = await IdleFlowSweep.SweepAsync(host, DateTime.UtcNow + TimeSpan.FromHours(2), options, timeout.Token);
        await WaitForAsync(host, ended, s => s is null, "was deleted", timeout.Token);
        var remaining = new List<string>();
        await foreach (var (key, _) in host.QueryEntitiesAsync<FlowEntityState>(FlowEntity.Name, timeout.Token))
        {
            remaining.Add(key);
        }

        Assert.Equal(new IdleFlowSweepResult(Scanned: 2, Live: 1, Tombstones: 1, ExpireSignals: 1, DeleteSignals: 1, Truncated: false), result);
        Assert.Equal([live], remaining);
        Assert.Equal(flows[1].Snapshot, (await host.GetEntityStateAsync<FlowEntityState>(FlowEntity.Name, live, timeout.Token))!.Snapshot);
    }

    private Task<DurableRuntimeHost> StartHostAsync() =>
        DurableChainRun.StartHostAsync(new DurableRuntimeOptions
        {
            StorageConnectionString = azurite.ConnectionString,
            TaskHubName = AzuriteFixture.UniqueName("sweep"),
            ControlQueuePartitions = 2,
        });

    /// <summary>Signals Apply at <paramref name="version"/> to each flow, then waits until every entity holds it.</summary>
    private static async Task<List<FlowEntityState>> ApplyAsync(DurableRuntimeHost host, List<(string Key, byte[] Snapshot)> flows, long version, CancellationToken cancellation)
    {
        foreach (var (key, snapshot) in flows)
        {
            await host.SignalEntityAsync(FlowEntity.Name, key, nameof(FlowEntity.Apply), new FlowUpdate(version, snapshot, 60), cancellation);
        }
        var states = new List<FlowEntityState>();
        foreach (var (key, _) in flows)
        {
            states.Add((await WaitForAsync(host, key, s => s?.Version == version, $"stored version {version}", cancellation))!);
        }
        return states;
    }

    private static async Task<FlowEntityState?> WaitForAsync(DurableRuntimeHost host, string key, Func<FlowEntityState?, bool> condition, string what, CancellationToken cancellation)
    {
        FlowEntityState? state = null;
        try
        {
            while (true)
            {
                state = await host.GetEntityStateAsync<FlowEntityState>(FlowEntity.Name, key, cancellation);
                if (condition(state))
                {
                    return state;
                }
                await Task.Delay(200, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Assert.Fail($"flow {key} never {what}; last state: {System.Text.Json.JsonSerializer.Serialize(state)}");
            throw;
        }
    }

    /// <summary>One UDP packet each through the counter chain, exported as the orchestrator would store it, keyed as it keys flow entities.</summary>
    private static List<(string Key, byte[] Snapshot)> Snapshots(int count)
    {
        var chain = ChainDefinition.Load(Path.Combine(OracleProcess.RepositoryRoot(), "samples", "chains", "counter.json"));
        var partition = new ChainPartition(chain, 0);
        var flows = new List<(string, byte[])>();
        for (int i = 0; i < count; i++)
        {
            byte[] frame = PacketBuilder.Udp(NetAddress.Parse("10.0.0.1"), (ushort)(5000 + i), NetAddress.Parse("10.0.0.2"), 53, [1, 2, 3]);
            var malformed = PacketParser.Parse(LinkType.Ethernet, frame, out var parsed);
            partition.Process(frame, parsed, malformed, frame.Length, (i + 1) * 1_000_000L, i + 1);
            var key = FlowKey.From(parsed, out _);
            flows.Add((key.ToString(), partition.ExportFlow(key, 1, out _)!));
        }
        return flows;
    }
}
