using AzNf.Functions.Durable;
using AzNf.Orchestrations.Batches;
using Azure.Storage.Blobs;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace AzNf.Functions.Tests;

/// <summary>
/// The Functions app's task hub adapter over a real gRPC <c>DurableTaskClient</c>, talking to the
/// SDK's in-process sidecar (in memory). The sidecar has no entities, so the entity operations are
/// covered only where the durable runtime implements the same interface.
/// </summary>
public sealed class ClientTaskHubTests : IAsyncLifetime
{
    private DurableTaskTestHost? _host;

    public async Task InitializeAsync()
    {
        // The sidecar takes a random port in 30000-40000 without checking it is free, so a port
        // another test's server holds (Azurite's, say) fails it now and then: take a free one,
        // and try another if someone took it in between.
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                _host = await DurableTaskTestHost.StartAsync(
                    registry =>
                    {
                        registry.AddOrchestratorFunc<string, string>("Echo", (_, input) => Task.FromResult($"echo {input}"));
                        registry.AddOrchestratorFunc<string, string>("Fail", (_, input) => Task.FromException<string>(new InvalidOperationException($"refused {input}")));
                    },
                    new DurableTaskTestHostOptions { Port = FreePort() });
                return;
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException && attempt < 5)
            {
            }
        }
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    // The sidecar has no blob storage; these tests never claim-check a batch.
    private static readonly BlobPacketBatchStore UnusedPackets = new(new BlobContainerClient("UseDevelopmentStorage=true", "unused"));

    private ClientTaskHub Hub()
    {
        var slot = new DurableClientSlot();
        slot.Offer(_host!.Client);
        return new ClientTaskHub(slot, UnusedPackets);
    }

    [Fact]
    public async Task StartAndWait_Completed_OutputReadBack()
    {
        var hub = Hub();

        bool started = await hub.StartOrchestrationAsync("Echo", "echo-1", "unit");
        var outcome = await hub.WaitForOutcomeAsync<string>("echo-1", TimeSpan.FromSeconds(1), Timeout());

        Assert.True(started);
        Assert.True(outcome.Completed);
        Assert.Equal("echo unit", outcome.Output);
    }

    [Fact]
    public async Task Start_SameIdWhileRunningOrDone_NotStartedAgain()
    {
        var hub = Hub();
        await hub.StartOrchestrationAsync("Echo", "echo-2", "first");
        var first = await hub.WaitForOutcomeAsync<string>("echo-2", TimeSpan.FromSeconds(1), Timeout());

        bool again = await hub.StartOrchestrationAsync("Echo", "echo-2", "second");
        var outcome = await hub.WaitForOutcomeAsync<string>("echo-2", TimeSpan.FromSeconds(1), Timeout());

        Assert.False(again);
        Assert.Equal("echo first", first.Output);
        Assert.Equal("echo first", outcome.Output);
    }

    [Fact]
    public async Task Purge_FinishedInstance_IsGone()
    {
        var hub = Hub();
        await hub.StartOrchestrationAsync("Echo", "echo-purge", "unit");
        await hub.WaitForOutcomeAsync<string>("echo-purge", TimeSpan.FromSeconds(1), Timeout());

        await hub.PurgeAsync("echo-purge");

        Assert.Null(await _host!.Client.GetInstanceAsync("echo-purge"));
    }

    [Fact]
    public async Task CompletedOrchestrations_ByPrefix_OnlyCompletedOnesOfThatPrefixWithTheirOutputs()
    {
        var hub = Hub();
        foreach (var (id, orchestration) in new[] { ("nfb-x-p1-s1", "Echo"), ("nfb-x-p1-s9", "Echo"), ("nfb-x-p1-s5", "Fail"), ("nfb-x-p10-s1", "Echo") })
        {
            await hub.StartOrchestrationAsync(orchestration, id, id);
            await hub.WaitForOutcomeAsync<string>(id, TimeSpan.FromSeconds(1), Timeout());
        }

        var found = new List<(string, string?)>();
        await foreach (var completed in hub.CompletedOrchestrationsAsync<string>("nfb-x-p1-s", Timeout()))
        {
            found.Add(completed);
        }

        Assert.Equal([("nfb-x-p1-s1", "echo nfb-x-p1-s1"), ("nfb-x-p1-s9", "echo nfb-x-p1-s9")], found.OrderBy(f => f.Item1, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Wait_Failed_StatusAndTheOrchestrationsMessage()
    {
        var hub = Hub();
        await hub.StartOrchestrationAsync("Fail", "fail-1", "this unit");

        var outcome = await hub.WaitForOutcomeAsync<string>("fail-1", TimeSpan.FromSeconds(1), Timeout());

        Assert.False(outcome.Completed);
        Assert.Equal("Failed", outcome.Status);
        Assert.Contains("refused this unit", outcome.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyOperation_BeforeAClientArrived_SaysSo()
    {
        var hub = new ClientTaskHub(new DurableClientSlot(), UnusedPackets);

        var error = await Assert.ThrowsAsync<DurableClientUnavailableException>(() => hub.StartOrchestrationAsync("Echo", "x", "y"));

        Assert.False(hub.Ready);
        Assert.Contains("no durable client", error.Message, StringComparison.Ordinal);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}
