using AzNf.Functions.Settings;
using AzNf.Ingest.Consumer;
using AzNf.Ingest.Events;
using AzNf.Partitions;
using AzNf.Orchestrations.Entities;
using AzNf.Orchestrations.Hub;
using AzNf.Orchestrations.Models;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Messaging.EventHubs.Producer;
using AzNf.Functions.Outputs;
using AzNf.Ingest.Producer;
using AzNf.Outputs.Eve;
using AzNf.Outputs.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AzNf.Functions.Ingestion;

/// <summary>
/// The Event Hubs partition processor, run by the worker as a hosted service. Every
/// <see cref="FunctionsSettings.ControlPoll"/> it reads the chain's <c>chainswitch</c> entity and
/// starts or stops its processor to match; processors on all instances share the partitions
/// through the ownership rows in Azure Tables. A failure here is logged and counted and retried
/// at the next poll: it never stops the worker.
/// </summary>
public sealed class ChainIngestionService(
    FunctionsSettings settings,
    IChainTaskHub hub,
    TokenCredential credential,
    ChainMetrics metrics,
    ILogger<ChainIngestionService> logger,
    EveBlobSink? eveBlobs = null) : BackgroundService
{
    private PacketEventProcessor? _processor;
    private EventHubPacketEgress? _egress;
    private AlertsHubSink? _alerts;
    private DurableChainHandler? _durable;
    private long _controlErrors;
    private long _processingFailures;

    /// <summary>What this instance is doing, for the stats endpoint.</summary>
    public IngestionStatus Status()
    {
        var processor = _processor;
        var durable = _durable;
        return new IngestionStatus(
            Enabled: settings.IngestionEnabled,
            Running: processor?.IsRunning ?? false,
            Processing: settings.Processing.ToString().ToLowerInvariant(),
            Events: processor?.Counters.Events ?? 0,
            Packets: processor?.Counters.Packets ?? 0,
            Batches: processor?.Counters.Batches ?? 0,
            Checkpoints: processor?.Counters.Checkpoints ?? 0,
            RejectedEvents: processor?.Counters.RejectedTotal ?? 0,
            ProcessingFailures: Interlocked.Read(ref _processingFailures),
            ControlErrors: Interlocked.Read(ref _controlErrors),
            UnitsCompleted: durable?.UnitsCompleted ?? 0,
            UnitFailures: durable?.FailureCount ?? 0,
            Duplicates: durable?.Duplicates ?? 0);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.IngestionEnabled)
        {
            FunctionsLog.IngestionOff(logger, FunctionsSettings.EventHubsNamespace);
            return;
        }
        using var timer = new PeriodicTimer(settings.ControlPoll);
        do
        {
            try
            {
                await ReconcileAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref _controlErrors);
                FunctionsLog.ChainSwitchFailed(logger, e, settings.Chain.Name, settings.ControlPoll);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_processor is { } processor)
        {
            // Ends the partition leases cleanly, so other instances take the partitions at once.
            await processor.StopProcessingAsync(cancellationToken);
        }
    }

    private async Task ReconcileAsync(CancellationToken cancellation)
    {
        // The switch is an entity, read through the durable client: until a bound function has
        // brought one to this instance there is nothing to reconcile with (not an error).
        if (hub is Durable.ClientTaskHub { Ready: false })
        {
            return;
        }
        var wanted = await hub.GetEntityStateAsync<ChainSwitchState>(ChainSwitchEntity.Name, settings.Chain.Name, cancellation);
        bool run = wanted?.Running ?? false;
        if (run && _processor is null)
        {
            _processor = await StartProcessorAsync(cancellation);
            FunctionsLog.ProcessorStarted(logger, settings.Chain.Name, settings.EventHub, settings.Processing);
        }
        else if (!run && _processor is { } processor)
        {
            await processor.StopProcessingAsync(cancellation);
            _processor = null;
            _durable = null;
            FunctionsLog.ProcessorStopped(logger, settings.Chain.Name);
        }
    }

    private async Task<PacketEventProcessor> StartProcessorAsync(CancellationToken cancellation)
    {
        var tables = settings.StorageConnectionString is { } connection
            ? new TableServiceClient(connection)
            : new TableServiceClient(settings.TableServiceUri, credential);
        var store = new TableCheckpointStore(tables.GetTableClient(settings.CheckpointTable));
        var deadLetters = new DeadLetterTable(tables.GetTableClient(settings.DeadLetterTable));
        await store.CreateIfNotExistsAsync(cancellation);
        await deadLetters.CreateIfNotExistsAsync(cancellation);

        IPartitionBatchHandler handler;
        if (settings.Processing == ProcessingPath.Durable)
        {
            // The hubs live in the input's namespace; the app's identity holds Data Sender on exactly them (infra-bicep).
            _egress = settings.EgressHub is { } egressHub
                ? new EventHubPacketEgress(new EventHubProducerClient(settings.EventHubsNamespaceName, egressHub, credential), settings.EgressFlowlet)
                : null;
            _alerts = settings.AlertsHub is { } alertsHub
                ? new AlertsHubSink(new EventHubProducerClient(settings.EventHubsNamespaceName, alertsHub, credential), settings.Chain.Name)
                : null;
            var alerts = _alerts;
            if (eveBlobs is not null)
            {
                await eveBlobs.CreateIfNotExistsAsync(cancellation);
            }
            // One set of EVE lines per unit, for every sink that wants them.
            var eveLines = alerts is not null || eveBlobs is not null ? new EveRecordLines() : null;
            _durable = new DurableChainHandler(hub, settings.Chain, new DurableChainOptions
            {
                PacketsPerEvent = PacketEventFormat.MaxPacketsPerEvent,
                MaxUnitsInFlight = settings.MaxUnitsInFlight,
                FlowShards = settings.FlowShards,
                PartitionCount = settings.Partitions,
                KeepUnitResults = false,
                Egress = _egress,
                UnitCompleted = async (tally, elapsed) =>
                {
                    metrics.Record(tally, elapsed);
                    if (eveLines is not null)
                    {
                        var lines = eveLines.Of(tally);
                        if (alerts is not null)
                        {
                            await alerts.SendAsync(lines, CancellationToken.None);
                        }
                        if (eveBlobs is not null)
                        {
                            await eveBlobs.WriteAsync(lines, CancellationToken.None);
                        }
                    }
                },
            });
            handler = _durable;
        }
        else
        {
            // Flows in memory, group-committed to the same flow shards the durable path uses: a
            // partition that moves to another instance keeps its flows.
            handler = new ShardedFastPathHandler(hub, settings.Chain, settings.Partitions, new ShardedFastPathOptions
            {
                FlowShards = settings.FlowShards,
                CommitInterval = settings.CommitInterval,
                PacketsPerEvent = PacketEventFormat.MaxPacketsPerEvent,
            });
        }
        var processor = new PacketEventProcessor(
            settings.EventHubsNamespaceName!,
            settings.EventHub!,
            credential,
            store,
            deadLetters,
            handler,
            new PacketProcessorOptions
            {
                EventsPerBatch = settings.EventsPerBatch,
                ConsumerGroup = settings.ConsumerGroup,
                // For the lag metric: each batch brings its partition's last enqueued sequence number.
                Processor = new Azure.Messaging.EventHubs.Primitives.EventProcessorOptions { TrackLastEnqueuedEventProperties = true },
            });
        metrics.ObserveIngestionLag(() => processor.Lag);
        processor.ProcessingFailed += failure =>
        {
            Interlocked.Increment(ref _processingFailures);
            FunctionsLog.PartitionOperationFailed(logger, failure.Exception, failure.PartitionId, failure.Operation);
        };
        await processor.StartProcessingAsync(cancellation);
        return processor;
    }
}
