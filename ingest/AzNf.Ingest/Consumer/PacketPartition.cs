using Azure.Messaging.EventHubs.Primitives;
using AzNf.Partitions;

namespace AzNf.Ingest.Consumer;

/// <summary>A partition this processor owns: its number and the batch its events are decoded into.</summary>
public sealed class PacketPartition : EventProcessorPartition
{
    /// <summary>The partition id as a number (Event Hubs ids are "0" .. "n-1").</summary>
    public int Index { get; internal set; }

    /// <summary>A partition context for <paramref name="partitionId"/> outside the SDK's loop (tests, tools).</summary>
    internal static PacketPartition Of(string partitionId) => new() { PartitionId = partitionId };

    /// <summary>Reused for every batch of the partition, so decoding allocates nothing once it has grown.</summary>
    internal PartitionBatch? Batch { get; set; }

    /// <summary>With a handler that stores later (<see cref="IPartitionCheckpointGate"/>): each handled SDK batch's last event, oldest first, until a checkpoint passes it.</summary>
    internal Queue<(Azure.Messaging.EventHubs.Processor.CheckpointPosition Position, string? Watermarks)> Handled { get; } = new();

    /// <summary>The highest origin index handled per origin of egress events (replays dropped by it).</summary>
    internal OriginWatermarks Watermarks { get; set; } = OriginWatermarks.Empty();
}
