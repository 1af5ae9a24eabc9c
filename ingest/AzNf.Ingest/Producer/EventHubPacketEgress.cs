using System.Buffers.Binary;
using System.Globalization;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using AzNf.Ingest.Events;
using AzNf.Partitions;

namespace AzNf.Ingest.Producer;

/// <summary>
/// A chain's forwarded packets to an egress event hub, in the input's event format. Each packet
/// goes to the hub partition its flow key hashes to (<c>StableHash mod partitions</c>, so both
/// directions of a flow share one, as the input's partition key gives), and each partition's
/// packets go out in origin order, one send at a time, up to <see cref="MaxPacketsPerEvent"/>
/// consecutive packets per event. Every event names its origin (chain and input partition) and
/// its packets' origin indexes (<see cref="PacketEventProperties.OriginIndexes"/>): since a hub
/// partition then sees each origin's indexes increasing, a consumer that remembers the highest
/// per origin drops every packet a replay sends again — at-least-once delivery made exactly once.
/// </summary>
/// <remarks>
/// Partitions are sent to side by side (at most <see cref="MaxConcurrentSends"/> sends). A send
/// the hub refuses after the client's retries throws: the batch fails, its checkpoint holds and
/// the packets go out again later (back-pressure, nothing lost). Event Hubs' idempotent
/// publishing does not serve here: a replay after a crash is a new publisher session.
/// </remarks>
public sealed class EventHubPacketEgress : IPacketEgress
{
    /// <summary>The <c>aznf.flow</c> of an event that holds packets of more than one flow.</summary>
    public const string MixedFlows = "mixed";

    private readonly EventHubProducerClient _client;
    private int _partitionCount;
    private long _packetsSent;
    private long _eventsSent;

    public EventHubPacketEgress(EventHubProducerClient client, int maxPacketsPerEvent = 64, int maxConcurrentSends = 16)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketsPerEvent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketsPerEvent, PacketEventFormat.MaxPacketsPerEvent);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrentSends, 1);
        _client = client;
        MaxPacketsPerEvent = maxPacketsPerEvent;
        MaxConcurrentSends = maxConcurrentSends;
    }

    public int MaxPacketsPerEvent { get; }

    public int MaxConcurrentSends { get; }

    /// <summary>Packets sent so far.</summary>
    public long PacketsSent => Interlocked.Read(ref _packetsSent);

    /// <summary>Events sent so far.</summary>
    public long EventsSent => Interlocked.Read(ref _eventsSent);

    /// <summary>The hub partition a packet goes to: its flow's, or spread by index when it did not parse.</summary>
    public static int PartitionOf(in ForwardedPacket packet, int partitionCount) =>
        packet.IsParsed ? packet.Key.PartitionOf(partitionCount) : (int)((ulong)packet.CaptureIndex % (ulong)partitionCount);

    public async Task SendAsync(string chainName, int partition, IReadOnlyList<ForwardedPacket> packets, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(packets);
        if (packets.Count == 0)
        {
            return;
        }
        if (_partitionCount == 0)
        {
            _partitionCount = (await _client.GetPartitionIdsAsync(cancellation).ConfigureAwait(false)).Length;
        }
        string origin = $"{chainName}/{partition.ToString(CultureInfo.InvariantCulture)}";
        var byPartition = new List<ForwardedPacket>?[_partitionCount];
        foreach (var packet in packets)
        {
            (byPartition[PartitionOf(packet, _partitionCount)] ??= []).Add(packet);
        }
        using var slots = new SemaphoreSlim(MaxConcurrentSends);
        var sends = new List<Task>();
        for (int p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is { } list)
            {
                // Origin order within the hub partition (the batch lists packets slice by slice).
                list.Sort((a, b) => a.CaptureIndex.CompareTo(b.CaptureIndex));
                sends.Add(SendPartitionAsync(p.ToString(CultureInfo.InvariantCulture), list, origin, slots, cancellation));
            }
        }
        await Task.WhenAll(sends).ConfigureAwait(false);
    }

    private async Task SendPartitionAsync(string partitionId, List<ForwardedPacket> packets, string origin, SemaphoreSlim slots, CancellationToken cancellation)
    {
        await slots.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            await EventBatches.SendAsync(_client, Events(packets, origin), new CreateBatchOptions { PartitionId = partitionId }, "an egress event",
                events => Interlocked.Add(ref _eventsSent, events), cancellation).ConfigureAwait(false);
            Interlocked.Add(ref _packetsSent, packets.Count);
        }
        finally
        {
            slots.Release();
        }
    }

    // Consecutive packets, at most MaxPacketsPerEvent, within the format's limits (one link type,
    // a bounded time span, under 1 MB with room for the envelope).
    private List<EventData> Events(List<ForwardedPacket> packets, string origin)
    {
        var events = new List<EventData>();
        var writer = new PacketEventWriter(maxBodyLength: 1024 * 1024 - 16 * 1024);
        var members = new List<ForwardedPacket>(MaxPacketsPerEvent);
        foreach (var packet in packets)
        {
            bool joined = writer.Count is > 0 && writer.Count < MaxPacketsPerEvent
                && packet.LinkType == writer.LinkType
                && writer.TryAppend(packet.Frame.Span, packet.WireLength, packet.TimestampNanos);
            if (!joined)
            {
                if (writer.Count > 0)
                {
                    events.Add(Event(writer, members, origin));
                }
                writer.Start(packet.LinkType, packet.TimestampNanos);
                members.Clear();
                if (!writer.TryAppend(packet.Frame.Span, packet.WireLength, packet.TimestampNanos))
                {
                    throw new InvalidOperationException($"a forwarded frame of {packet.Frame.Length} bytes does not fit an egress event");
                }
            }
            members.Add(packet);
        }
        if (writer.Count > 0)
        {
            events.Add(Event(writer, members, origin));
        }
        return events;
    }

    private static EventData Event(PacketEventWriter writer, List<ForwardedPacket> members, string origin)
    {
        var data = new EventData(writer.ToArray()) { ContentType = PacketEventProperties.ContentType };
        var first = members[0];
        bool oneFlow = first.IsParsed && members.TrueForAll(m => m.IsParsed && m.Key == first.Key);
        data.Properties[PacketEventProperties.FlowKey] = oneFlow ? first.Key.ToString()
            : members.TrueForAll(m => !m.IsParsed) ? PacketEventProperties.UnparsedFlow : MixedFlows;
        data.Properties[PacketEventProperties.Source] = origin;
        data.Properties[PacketEventProperties.Sequence] = first.CaptureIndex;
        data.Properties[PacketEventProperties.Origin] = origin;
        var packed = new byte[members.Count * sizeof(long)];
        for (int i = 0; i < members.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(packed.AsSpan(i * sizeof(long)), members[i].CaptureIndex);
        }
        data.Properties[PacketEventProperties.OriginIndexes] = packed;
        data.MessageId = $"{origin}/{first.CaptureIndex.ToString(CultureInfo.InvariantCulture)}";
        return data;
    }
}
