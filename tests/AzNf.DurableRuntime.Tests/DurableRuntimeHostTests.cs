using AzNf.TestOracles;
using DurableTask.Core;

namespace AzNf.DurableRuntime.Tests;

[Collection(AzuriteFixture.Collection)]
public sealed class DurableRuntimeHostTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private static TaskTypeCatalog ProbeTasks() =>
        new TaskTypeCatalog().Add(typeof(ProbeOrchestrator), typeof(EchoActivity), typeof(ProbeCounterEntity));

    private DurableRuntimeOptions Options() => new()
    {
        StorageConnectionString = azurite.ConnectionString,
        TaskHubName = AzuriteFixture.UniqueName("hub"),
        ControlQueuePartitions = 2,
    };

    [Fact]
    public async Task Orchestration_ActivityTimerAndEntity_RunOnAzurite()
    {
        await using var host = await DurableRuntimeHost.StartAsync(Options(), ProbeTasks());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await host.SignalEntityAsync("ProbeCounter", "c1", "Add", 10);
        bool created = await host.StartOrchestrationAsync("Probe", "probe-1", new ProbeInput("c1", 5, ActivityDelayMs: 3000, DeadlineMs: 300));
        var state = await host.WaitForCompletionAsync("probe-1", Poll, timeout.Token);
        var output = host.ReadOutput<ProbeOutput>(state);

        Assert.True(created);
        Assert.Equal(OrchestrationStatus.Completed, state.OrchestrationStatus);
        Assert.Equal(new ProbeOutput("hello", DeadlineMissed: true, CounterAfter: 15), output);
        Assert.Equal(15, await host.GetEntityStateAsync<int>("ProbeCounter", "c1"));
        Assert.Equal(1, host.CompletionsSeenInProcess);
    }

    /// <summary>
    /// Storage gone for good while the worker runs: the backend's partition manager would wait 10
    /// minutes to release its leases; the host stops waiting after its StopTimeout instead.
    /// </summary>
    [Fact]
    public async Task DisposeAsync_StorageGone_GivesUpAfterTheStopTimeout()
    {
        var storage = await AzNf.Azurite.AzuriteServer.StartAsync();
        var host = await DurableRuntimeHost.StartAsync(Options() with
        {
            StorageConnectionString = storage.ConnectionString,
            StopTimeout = TimeSpan.FromSeconds(3),
            StorageRetries = 1,
        }, ProbeTasks());
        // A finished orchestration: the worker owns its control-queue partitions (leases) by now.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await host.StartOrchestrationAsync("Probe", "probe-gone", new ProbeInput("c1", 1, ActivityDelayMs: 0, DeadlineMs: 5_000));
            await host.WaitForCompletionAsync("probe-gone", Poll, timeout.Token);
        }
        await storage.DisposeAsync();

        var disposing = host.DisposeAsync().AsTask();
        var finished = await Task.WhenAny(disposing, Task.Delay(TimeSpan.FromSeconds(120)));

        // Before the bound, the backend held the dispose for 10 minutes here. Whether it still
        // would have (StopTimedOut) depends on how far its partition manager got; the bound must
        // hold either way.
        Assert.Same(disposing, finished);
        await disposing;
        output.WriteLine($"stop gave up after the timeout: {host.StopTimedOut}");
    }

    [Fact]
    public async Task StartOrchestrationAsync_SameInstanceIdTwice_StartsOnce()
    {
        await using var host = await DurableRuntimeHost.StartAsync(Options(), ProbeTasks());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var input = new ProbeInput("c2", 1, ActivityDelayMs: 0, DeadlineMs: 5000);

        bool first = await host.StartOrchestrationAsync("Probe", "probe-2", input);
        await host.WaitForCompletionAsync("probe-2", Poll, timeout.Token);
        bool second = await host.StartOrchestrationAsync("Probe", "probe-2", input);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(1, await host.GetEntityStateAsync<int>("ProbeCounter", "c2"));
    }

    [Fact]
    public async Task QueryEntitiesAsync_SeveralEntities_ReturnsEachWithItsState()
    {
        await using var host = await DurableRuntimeHost.StartAsync(Options(), ProbeTasks());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        for (int i = 0; i < 3; i++)
        {
            await host.StartOrchestrationAsync("Probe", $"probe-q{i}", new ProbeInput($"q{i}", i + 1, 0, 5000));
        }
        for (int i = 0; i < 3; i++)
        {
            await host.WaitForCompletionAsync($"probe-q{i}", Poll, timeout.Token);
        }
        var found = new Dictionary<string, int>();
        await foreach (var (key, state) in host.QueryEntitiesAsync<int>("ProbeCounter", timeout.Token))
        {
            found[key] = state;
        }

        Assert.Equal(new Dictionary<string, int> { ["q0"] = 1, ["q1"] = 2, ["q2"] = 3 }, found);
    }
}
