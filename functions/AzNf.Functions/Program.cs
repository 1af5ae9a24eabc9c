using System.Collections;
using AzNf.Functions.Durable;
using AzNf.Functions.Http;
using AzNf.Functions.Ingestion;
using AzNf.Functions.Settings;
using AzNf.Orchestrations.Activities;
using AzNf.Orchestrations.Batches;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Functions.Outputs;
using AzNf.Outputs.Metrics;
using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Settings first: a missing or malformed one stops the worker here, with one line naming it,
// before the host starts sending it work.
FunctionsSettings settings;
try
{
    var environment = Environment.GetEnvironmentVariables()
        .Cast<DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.OrdinalIgnoreCase);
    settings = FunctionsSettings.Load(environment, AppContext.BaseDirectory);
}
catch (SettingsException e)
{
    await Console.Error.WriteLineAsync($"aznf functions: setting {e.Message}");
    return 78; // EX_CONFIG
}

// Then storage: a service that does not answer within the budget stops the worker with one line
// naming it (the host restarts the worker), rather than failing every batch after it starts.
var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ClientId });
if (await StorageStartupCheck.RunAsync(StorageStartupCheck.Probes(settings, credential), settings.StorageStartupTimeout) is { } unavailable)
{
    await Console.Error.WriteLineAsync($"aznf functions: {unavailable.Message}");
    return unavailable.ExitCode;
}

var host = new HostBuilder()
    .ConfigureFunctionsWorkerDefaults()
    .ConfigureServices(services =>
    {
        services.AddSingleton(settings);
        // The AzNf meter, exported to Application Insights with the app's identity when the app has one.
        services.AddSingleton(new ChainMetrics(settings.Chain));
        if (settings.AppInsightsConnectionString is { } appInsights)
        {
            var exportCredential = new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = settings.ClientId });
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(ChainMetrics.MeterName)
                .AddAzureMonitorMetricExporter(exporter =>
                {
                    exporter.ConnectionString = appInsights;
                    exporter.Credential = exportCredential;
                }));
        }
        services.AddSingleton<TokenCredential>(credential);
        services.AddSingleton<DurableClientSlot>();
        services.AddSingleton<IPacketBatchStore>(sp => new BlobPacketBatchStore(PacketContainer(settings, sp.GetRequiredService<TokenCredential>())));
        services.AddSingleton<ClientTaskHub>();
        services.AddSingleton<IChainTaskHub>(sp => sp.GetRequiredService<ClientTaskHub>());
        services.AddSingleton<IPolicyReader>(sp =>
        {
            var reader = new EntityPolicyReader();
            reader.Attach(sp.GetRequiredService<IChainTaskHub>());
            return reader;
        });
        services.AddSingleton<IChainSource, PolicyChainSource>();
        services.AddSingleton(new FlowShardOptions { TombstoneRetention = settings.TombstoneRetention, MaxMapDeltas = settings.FlowMapDeltas, CachedFlows = settings.FlowMapCacheFlows });
        services.AddSingleton(sp => new FlowShardMapCache(sp.GetRequiredService<FlowShardOptions>().CachedFlows));
        services.AddSingleton<ChainStepRunner>();
        if (settings.EveContainer is { } eveContainer)
        {
            services.AddSingleton(sp => new EveBlobSink(Container(settings, sp.GetRequiredService<TokenCredential>(), eveContainer), settings.Chain.Name));
        }
        services.AddSingleton(sp => new ChainIngestionService(
            settings,
            sp.GetRequiredService<IChainTaskHub>(),
            sp.GetRequiredService<TokenCredential>(),
            sp.GetRequiredService<ChainMetrics>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ChainIngestionService>>(),
            sp.GetService<EveBlobSink>()));
        services.AddHostedService(sp => sp.GetRequiredService<ChainIngestionService>());
        services.AddSingleton(sp => new ControlApi(
            settings,
            sp.GetRequiredService<IChainTaskHub>(),
            sp.GetRequiredService<ChainIngestionService>().Status,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ControlApi>>()));
    })
    .Build();
await host.RunAsync();
return 0;

// Batch packets go to the task hub's own storage account, with its connection string (Azurite) or the managed identity.
static BlobContainerClient PacketContainer(FunctionsSettings settings, TokenCredential credential) =>
    Container(settings, credential, BlobPacketBatchStore.ContainerName(settings.TaskHubName));

static BlobContainerClient Container(FunctionsSettings settings, TokenCredential credential, string container)
{
    return settings.StorageConnectionString is { } connection
        ? new BlobContainerClient(connection, container)
        : new BlobContainerClient(new Uri($"https://{settings.StorageAccount}.blob.core.windows.net/{container}"), credential);
}
