using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using AzNf.DurableRuntime;
using AzNf.Functions.Ingestion;
using AzNf.Functions.Settings;
using AzNf.Orchestrations.Entities;
using AzNf.TestOracles;
using Microsoft.Extensions.Logging;

namespace AzNf.Functions.Tests;

/// <summary>
/// The hosted ingestion service follows the chainswitch entity on a real task hub (the durable
/// runtime on Azurite). No Event Hubs broker or identity exists here, so the processor's start
/// fails at each poll while the switch is on — counted and logged, never fatal — and the attempts
/// end when the switch goes off.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class ChainIngestionServiceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Service_SwitchOnWithAnUnreachableHub_CountsAndRetriesUntilSwitchedOff()
    {
        string hubName = AzuriteFixture.UniqueName("ingest");
        await using var host = await DurableChainRun.StartHostAsync(new DurableRuntimeOptions { StorageConnectionString = azurite.ConnectionString, TaskHubName = hubName, ControlQueuePartitions = 2 });
        var values = TestSettings.Local(storage: azurite.ConnectionString);
        values["TASKHUB_NAME"] = hubName;
        values["AZNF_EVENTHUBS_NAMESPACE"] = "aznf-no-such-namespace.servicebus.windows.net";
        values["AZNF_EVENTHUB_NAME"] = "packets";
        values["AZNF_CHECKPOINT_TABLE"] = hubName + "ck";
        values["AZNF_CONTROL_POLL_SECONDS"] = "1";
        var settings = TestSettings.Load(values);
        var log = new ListLogger<ChainIngestionService>();
        var service = new ChainIngestionService(settings, host, new NoCredential(), new AzNf.Outputs.Metrics.ChainMetrics(settings.Chain), log);
        await service.StartAsync(CancellationToken.None);

        await Task.Delay(TimeSpan.FromSeconds(2));
        long errorsWhileOff = service.Status().ControlErrors;
        await host.SignalEntityAsync(ChainSwitchEntity.Name, "full", nameof(ChainSwitchEntity.Start), "test");
        bool retried = await Eventually(() => service.Status().ControlErrors >= 2, TimeSpan.FromSeconds(120));
        await host.SignalEntityAsync(ChainSwitchEntity.Name, "full", nameof(ChainSwitchEntity.Stop), "test");
        await Task.Delay(TimeSpan.FromSeconds(5));
        long settled = service.Status().ControlErrors;
        await Task.Delay(TimeSpan.FromSeconds(3));
        long afterOff = service.Status().ControlErrors;
        await service.StopAsync(CancellationToken.None);
        bool checkpointTableCreated = false;
        await foreach (var table in new TableServiceClient(azurite.ConnectionString).QueryAsync(t => t.Name == hubName + "ck"))
        {
            checkpointTableCreated = true;
        }

        Assert.Equal(0, errorsWhileOff);
        Assert.True(retried, $"the start failure was not retried at each poll ({service.Status().ControlErrors} errors)");
        Assert.Equal(settled, afterOff);
        Assert.False(service.Status().Running);
        Assert.True(checkpointTableCreated);
        Assert.True(service.Status().ProcessingFailures > 0, "the processor's own failure reports were not counted");
        Assert.Contains(log.Exceptions, e => e.ToString().Contains("no credential in tests", StringComparison.Ordinal));
    }

    private static async Task<bool> Eventually(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(100);
        }
        return condition();
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<Exception> Exceptions { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Messages.Enqueue(formatter(state, exception));
            if (exception is not null)
            {
                Exceptions.Enqueue(exception);
            }
        }
    }

    /// <summary>No identity here: the processor's first call to the hub fails asking for a token.</summary>
    private sealed class NoCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("no credential in tests");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("no credential in tests");
    }
}
