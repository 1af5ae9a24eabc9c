using AzNf.NetworkFunctions.Chain;
using AzNf.Partitions;
using AzNf.Orchestrations.Chains;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations;

/// <summary>
/// Cuts a partition batch into <c>NfChain</c> work units: one per packet (<see cref="ChainGranularity.Packet"/>;
/// a flow's packets that share an event go together) or one per flow of the batch (<see cref="ChainGranularity.Flowlet"/>), in the order of each
/// unit's first packet. <see cref="ChainGranularity.Flow"/> needs packets held across batches
/// until the flow ends, which is the batch handler's to do: per batch it cuts like a flowlet.
/// </summary>
/// <remarks>
/// Frames the parser rejects have no flow: each partition's go to a key of their own,
/// <c>unparsed p{partition}</c>, so they are still counted once and in order. Units of one flow
/// must run one after the other (the flow entity's version check makes a redelivered unit a no-op,
/// not a reordered one).
/// </remarks>
public static class WorkUnitSplitter
{
    /// <param name="batch">The batch, in partition order.</param>
    /// <param name="compiled">The chain and the policy versions the units name.</param>
    /// <param name="granularity">Packet, or flowlet (flow cuts per batch like a flowlet).</param>
    /// <param name="mode">Fused or staged.</param>
    /// <param name="captureIndexOf">A packet's 1-based capture index for alerts and flow records; default: its sequence number + 1.</param>
    public static IReadOnlyList<ChainWorkUnit> Split(
        PartitionBatch batch,
        CompiledChain compiled,
        ChainGranularity granularity,
        ChainMode mode,
        Func<PartitionPacket, long>? captureIndexOf = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(compiled);
        captureIndexOf ??= p => p.SequenceNumber + 1;
        var plan = ChainPlan.From(compiled.Chain);
        var units = new List<(string Key, List<WorkPacket> Packets)>();
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (ref readonly var packet in batch.Packets)
        {
            var frame = batch.Frame(packet);
            string key = PacketParser.Parse(packet.LinkType, frame, out var parsed) == MalformedReason.None
                ? FlowKey.From(parsed, out _).ToString()
                : UnitKeys.Unparsed(batch.Partition);
            var work = new WorkPacket(packet.SequenceNumber, packet.PositionInEvent, captureIndexOf(packet), packet.LinkType, packet.TimestampNanos, packet.WireLength, frame.ToArray());
            // The flow entity's version is the event sequence number, so a flow's packets that
            // share an event stay in one unit even at packet granularity.
            if (open.TryGetValue(key, out int unit)
                && (granularity != ChainGranularity.Packet || units[unit].Packets[^1].SequenceNumber == packet.SequenceNumber))
            {
                units[unit].Packets.Add(work);
                continue;
            }
            open[key] = units.Count;
            units.Add((key, [work]));
        }
        return units.Select(u => new ChainWorkUnit
        {
            ChainName = compiled.Chain.Name,
            Partition = batch.Partition,
            FlowKey = u.Key,
            Granularity = granularity,
            Mode = mode,
            FirstSequenceNumber = u.Packets[0].SequenceNumber,
            LastSequenceNumber = u.Packets[^1].SequenceNumber,
            RuleSetVersion = compiled.RuleSetVersion,
            BlocklistVersion = compiled.BlocklistVersion,
            Plan = plan,
            Packets = u.Packets,
        }).ToList();
    }
}
