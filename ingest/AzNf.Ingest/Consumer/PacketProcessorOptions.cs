using Azure.Messaging.EventHubs.Primitives;
using AzNf.Ingest.Events;

namespace AzNf.Ingest.Consumer;

/// <summary>Settings of a <see cref="PacketEventProcessor"/>.</summary>
public sealed record PacketProcessorOptions
{
    /// <summary>Events the SDK hands over per call at most (one call → one or more partition batches → one checkpoint).</summary>
    public int EventsPerBatch { get; init; } = 100;

    /// <summary>Packets per partition batch handed to the handler; at least <see cref="PacketEventFormat.MaxPacketsPerEvent"/> so an event never splits.</summary>
    public int PacketsPerBatch { get; init; } = 4096;

    public string ConsumerGroup { get; init; } = "$Default";

    /// <summary>The SDK's processor options (identifier, ownership expiry, load-balancing interval, starting position...).</summary>
    public EventProcessorOptions Processor { get; init; } = new();

    public void Validate()
    {
        if (EventsPerBatch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EventsPerBatch), EventsPerBatch, "at least one event per batch");
        }
        if (PacketsPerBatch < PacketEventFormat.MaxPacketsPerEvent)
        {
            throw new ArgumentOutOfRangeException(nameof(PacketsPerBatch), PacketsPerBatch, $"a batch must hold the largest event ({PacketEventFormat.MaxPacketsPerEvent} packets)");
        }
        ArgumentException.ThrowIfNullOrEmpty(ConsumerGroup);
    }
}
