using System.Buffers;
using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;
using AzNf.Packets.Rewriting;

namespace AzNf.NetworkFunctions.Nat;

/// <summary>
/// Source NAT with port translation (<c>type: nat</c>, NAPT of RFC 3022): a flow whose first
/// packet comes from an inside network to an address outside them gets an outside address (the
/// same for every flow of an inside host) and an outside port (TCP, UDP) or echo id (ICMP); its
/// packets from the inside leave with those as their source, and replies to them come back with
/// the inside address and port as their destination. Mappings are endpoint-dependent (RFC 4787
/// "address and port-dependent"): an outside port is unique per remote endpoint, as Linux
/// conntrack's.
/// </summary>
/// <remarks>
/// <para>
/// The translated reply tuple is registered as the flow's alias in the partition's flow table,
/// so a reply finds the same flow (one conntrack entry for both tuples). For the reply to reach
/// this partition at all, a port is taken only where the reply tuple's flow key falls into this
/// partition (<see cref="FlowKey.PartitionOf"/>): a receive-side-scaling-aware choice, so
/// partitions never share a port and need no lock. The choice is deterministic — candidates
/// start at the flow key's hash — so a capture, chain and partition count give the same
/// translations every run; another partition count gives others (docs/nat.md).
/// </para>
/// <para>
/// A mapping lives as long as its flow: the flow table's idle timeouts by TCP state are the
/// mapping timeouts. Counters: <c>packets</c>, <c>not-ipv4</c>, <c>translated:outbound</c>,
/// <c>translated:inbound</c>, <c>untranslated</c>, <c>mappings:created</c>,
/// <c>mappings:reclaimed</c>, drops
/// <c>exhausted</c>, <c>no-mapping</c>, <c>reclaimed</c>, <c>no-flow</c>, <c>cannot-rewrite</c>.
/// </para>
/// </remarks>
public sealed class SourceNat : NetworkFunction<NatFlowState>
{
    /// <summary>"No slot" in the mapping links (−1 is the scratch flow's slot).</summary>
    public const int NoSlot = int.MinValue;

    private const string ExhaustedReason = "nat:exhausted";
    private const string NoMappingReason = "nat:no-mapping";
    private const string ReclaimedReason = "nat:mapping-reclaimed";
    private const string NoFlowReason = "nat:no-flow";
    private const string CannotRewriteReason = "nat:cannot-rewrite";

    private readonly NatOptions _options;
    private readonly FlowTable _flows;
    private readonly int _partition;
    private readonly int _partitionCount;
    private readonly int _flowShards;
    private readonly HashSet<uint> _outside;
    private int _oldest = NoSlot;
    private int _newest = NoSlot;
    private int _live;
    private long _packets, _notIPv4, _outbound, _inbound, _untranslated, _created, _reclaimed;
    private long _exhausted, _noMapping, _reclaimedDrops, _noFlow, _cannotRewrite;

    public SourceNat(NatOptions options, FlowTable flows, int partition, int partitionCount, int flowShards = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(flows);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        _options = options;
        _flows = flows;
        _partition = partition;
        _partitionCount = partitionCount;
        _flowShards = flowShards;
        _outside = [.. options.Outside.Select(a => a.IPv4Value)];
    }

    public override byte FlowFormat => 1;

    public override long Errors => _cannotRewrite;

    public override Verdict Process(ref PacketContext packet, int flow)
    {
        _packets++;
        if (!packet.IsParsed || packet.Packet.IpVersion != 4)
        {
            _notIPv4++;
            return Verdict.Forward;
        }
        if (flow == FlowSlot.Scratch)
        {
            // Only a staged run loses a flow between stages; without it no mapping can be kept.
            _noFlow++;
            return Verdict.Drop(NoFlowReason);
        }
        ref var state = ref Flow(flow);
        switch (state.Mapping)
        {
            case NatMapping.Translated:
                return Translate(ref packet, flow, ref state);
            case NatMapping.Untranslated:
                _untranslated++;
                return Verdict.Forward;
            case NatMapping.Reclaimed:
                _reclaimedDrops++;
                return Verdict.Drop(ReclaimedReason);
            default:
                return FirstPackets(ref packet, flow, ref state);
        }
    }

    public override void ReportCounters(IDictionary<string, long> into)
    {
        Add(into, "packets", _packets);
        Add(into, "not-ipv4", _notIPv4);
        Add(into, "translated:outbound", _outbound);
        Add(into, "translated:inbound", _inbound);
        Add(into, "untranslated", _untranslated);
        Add(into, "mappings:created", _created);
        Add(into, "mappings:reclaimed", _reclaimed);
        Add(into, "exhausted", _exhausted);
        Add(into, "no-mapping", _noMapping);
        Add(into, "reclaimed", _reclaimedDrops);
        Add(into, "no-flow", _noFlow);
        Add(into, "cannot-rewrite", _cannotRewrite);
    }

    protected override void WriteFlow(in NatFlowState flow, IBufferWriter<byte> into)
    {
        into.WriteByte((byte)flow.Mapping);
        into.WriteByte(flow.Protocol);
        into.WriteUInt32(flow.InsideAddress);
        into.WriteUInt16(flow.InsidePort);
        into.WriteUInt32(flow.OutsideAddress);
        into.WriteUInt16(flow.OutsidePort);
        into.WriteUInt32(flow.RemoteAddress);
        into.WriteUInt16(flow.RemotePort);
    }

    protected override void ReadFlow(ref NatFlowState flow, ref SnapshotReader reader, bool rulesChanged)
    {
        flow.Mapping = (NatMapping)reader.Byte();
        if (flow.Mapping > NatMapping.Reclaimed)
        {
            throw new InvalidDataException($"NAT mapping state {(int)flow.Mapping} is not one this build knows");
        }
        flow.Protocol = reader.Byte();
        flow.InsideAddress = reader.UInt32();
        flow.InsidePort = reader.UInt16();
        flow.OutsideAddress = reader.UInt32();
        flow.OutsidePort = reader.UInt16();
        flow.RemoteAddress = reader.UInt32();
        flow.RemotePort = reader.UInt16();
        // The links are the partition's, not the flow's: OnFlowRead links it again.
        flow.Older = flow.Newer = NoSlot;
    }

    protected override void OnFlowRead(int slot, ref NatFlowState flow)
    {
        if (flow.Mapping != NatMapping.Translated)
        {
            return;
        }
        var alias = ReplyKey(flow.Protocol, flow.OutsideAddress, flow.OutsidePort, flow.RemoteAddress, flow.RemotePort, out bool outsideIsLower);
        if (!_flows.AddAlias(alias, slot, outsideIsLower))
        {
            // Another live flow holds the reply tuple here (a snapshot from a run with other
            // partitions): the mapping cannot stand, as if reclaimed.
            flow.Mapping = NatMapping.Reclaimed;
            _reclaimed++;
            return;
        }
        Link(slot, ref flow);
    }

    protected override void OnFlowEnd(int slot, ref NatFlowState flow)
    {
        if (flow.Mapping == NatMapping.Translated)
        {
            // The flow table drops the alias with the flow.
            Unlink(ref flow);
        }
    }

    private Verdict FirstPackets(ref PacketContext packet, int flow, ref NatFlowState state)
    {
        ref readonly var p = ref packet.Packet;
        if (_outside.Contains(p.Destination.IPv4Value) && p.Destination.IsIPv4)
        {
            // To an outside address with no mapping: unsolicited, as a NAT drops it.
            _noMapping++;
            return Verdict.Drop(NoMappingReason);
        }
        bool outbound = packet.Direction == FlowDirection.AToB;
        if (state.Mapping == NatMapping.Unseen && !(outbound && _options.Inside.Contains(p.Source) && !_options.Inside.Contains(p.Destination)))
        {
            state.Mapping = NatMapping.Untranslated;
            _untranslated++;
            return Verdict.Forward;
        }
        if (!outbound || !TryMap(in p, flow, packet.Shard, ref state))
        {
            state.Mapping = NatMapping.Exhausted;
            _exhausted++;
            return Verdict.Drop(ExhaustedReason);
        }
        return Translate(ref packet, flow, ref state);
    }

    private Verdict Translate(ref PacketContext packet, int flow, ref NatFlowState state)
    {
        Touch(flow, ref state);
        ref var p = ref packet.Packet;
        bool done;
        if (packet.Direction == FlowDirection.AToB)
        {
            if (p.Source.IPv4Value != state.InsideAddress || !p.Source.IsIPv4)
            {
                return Verdict.Forward; // already translated (seen on the outside)
            }
            done = PacketRewriter.TryTranslateSource(packet.Writable, ref p, NetAddress.FromIPv4(state.OutsideAddress), state.OutsidePort);
            _outbound += done ? 1 : 0;
        }
        else
        {
            if (p.Destination.IPv4Value != state.OutsideAddress || !p.Destination.IsIPv4)
            {
                return Verdict.Forward; // already translated back (seen on the inside)
            }
            done = PacketRewriter.TryTranslateDestination(packet.Writable, ref p, NetAddress.FromIPv4(state.InsideAddress), state.InsidePort);
            _inbound += done ? 1 : 0;
        }
        if (!done)
        {
            _cannotRewrite++;
            return Verdict.Drop(CannotRewriteReason);
        }
        packet.IsRewritten = true;
        return Verdict.Forward;
    }

    /// <summary>Finds the flow an outside address and port (or id) and registers its reply tuple; false when the pool has none for it.</summary>
    private bool TryMap(in ParsedPacket p, int flow, int shard, ref NatFlowState state)
    {
        if (_live >= _options.MaxMappings && !(_options.OnExhausted == NatExhaustionPolicy.ReuseOldest && _oldest != NoSlot && Reclaim(_oldest)))
        {
            return false;
        }
        byte protocol = p.Protocol;
        bool hasPorts = p.HasTransport && (p.IsTcp || p.IsUdp || (p.IsIcmp && p.IcmpId != 0));
        ushort insidePort = !hasPorts ? (ushort)0 : p.IsIcmp ? p.IcmpId : p.SourcePort;
        ushort remotePort = !hasPorts ? (ushort)0 : p.IsIcmp ? p.IcmpId : p.DestinationPort;
        uint remote = p.Destination.IPv4Value;
        uint outside = _options.Outside[Paired(p.Source.IPv4Value)].IPv4Value;
        ulong start = _flows[flow].Key.StableHash;

        ushort port = 0;
        bool found = false;
        if (hasPorts)
        {
            int range = _options.LastPort - _options.FirstPort + 1;
            int probes = Math.Min(range, _options.PortProbes);
            for (int i = 0; i < probes && !found; i++)
            {
                port = (ushort)(_options.FirstPort + (int)((start + (ulong)i) % (ulong)range));
                found = Free(protocol, outside, port, remote, remotePort, p.IsIcmp, shard);
            }
        }
        else
        {
            // Nothing but the address to translate: one flow per outside address, remote and protocol.
            for (int i = 0; i < _options.Outside.Count && !found; i++)
            {
                outside = _options.Outside[(int)((start + (ulong)i) % (ulong)_options.Outside.Count)].IPv4Value;
                found = Free(protocol, outside, 0, remote, 0, icmp: false, shard);
            }
        }
        if (!found && _options.OnExhausted == NatExhaustionPolicy.ReuseOldest)
        {
            found = TryReclaimFor(protocol, remote, remotePort, p.IsIcmp, ref outside, ref port);
        }
        if (!found)
        {
            return false;
        }

        ushort replyRemotePort = p.IsIcmp ? port : remotePort;
        var alias = ReplyKey(protocol, outside, port, remote, replyRemotePort, out bool outsideIsLower);
        bool added = _flows.AddAlias(alias, flow, outsideIsLower);
        System.Diagnostics.Debug.Assert(added, "a free reply tuple is taken");
        state.Mapping = NatMapping.Translated;
        state.Protocol = protocol;
        state.InsideAddress = p.Source.IPv4Value;
        state.InsidePort = insidePort;
        state.OutsideAddress = outside;
        state.OutsidePort = port;
        state.RemoteAddress = remote;
        state.RemotePort = replyRemotePort;
        Link(flow, ref state);
        _created++;
        return true;
    }

    /// <summary>
    /// Whether the reply tuple of (outside, port) ↔ remote falls into this partition and the flow's
    /// shard — so a reply reaches the partition and the durable shard that hold the flow — and no
    /// live flow holds it.
    /// </summary>
    private bool Free(byte protocol, uint outside, ushort port, uint remote, ushort remotePort, bool icmp, int shard)
    {
        var reply = ReplyKey(protocol, outside, port, remote, icmp ? port : remotePort, out _);
        return reply.PartitionOf(_partitionCount) == _partition
            && (_flowShards == 1 || FlowShardHash.ShardOf(reply.ToString(), _flowShards) == shard)
            && !_flows.IsTaken(reply);
    }

    /// <summary>
    /// <c>reuse-oldest</c> with no free port: the least recently used mapping to the same remote
    /// endpoint (whose reply tuple, by construction, falls into this partition) gives up its port.
    /// </summary>
    private bool TryReclaimFor(byte protocol, uint remote, ushort remotePort, bool icmp, ref uint outside, ref ushort port)
    {
        int probes = 0;
        for (int slot = _oldest; slot != NoSlot && probes < _options.PortProbes; probes++)
        {
            ref var candidate = ref Flow(slot);
            int newer = candidate.Newer;
            if (candidate.Protocol == protocol && candidate.RemoteAddress == remote && (icmp || candidate.RemotePort == remotePort))
            {
                outside = candidate.OutsideAddress;
                port = candidate.OutsidePort;
                return Reclaim(slot);
            }
            slot = newer;
        }
        return false;
    }

    private bool Reclaim(int slot)
    {
        ref var old = ref Flow(slot);
        Unlink(ref old);
        _flows.RemoveAlias(slot);
        old.Mapping = NatMapping.Reclaimed;
        _reclaimed++;
        return true;
    }

    private static FlowKey ReplyKey(byte protocol, uint outside, ushort port, uint remote, ushort remotePort, out bool outsideIsLower)
    {
        var o = NetAddress.FromIPv4(outside);
        var r = NetAddress.FromIPv4(remote);
        int order = o.CompareTo(r);
        outsideIsLower = order < 0 || (order == 0 && port <= remotePort);
        return outsideIsLower ? new FlowKey(o, r, port, remotePort, protocol) : new FlowKey(r, o, remotePort, port, protocol);
    }

    // Paired pooling: one inside host, one outside address (a multiplicative hash, the same in every process).
    private int Paired(uint inside) => (int)((inside * 2654435761UL >> 16) % (ulong)_options.Outside.Count);

    private void Link(int slot, ref NatFlowState flow)
    {
        flow.Older = _newest;
        flow.Newer = NoSlot;
        if (_newest != NoSlot)
        {
            Flow(_newest).Newer = slot;
        }
        else
        {
            _oldest = slot;
        }
        _newest = slot;
        _live++;
    }

    private void Unlink(ref NatFlowState flow)
    {
        if (flow.Older != NoSlot)
        {
            Flow(flow.Older).Newer = flow.Newer;
        }
        else
        {
            _oldest = flow.Newer;
        }
        if (flow.Newer != NoSlot)
        {
            Flow(flow.Newer).Older = flow.Older;
        }
        else
        {
            _newest = flow.Older;
        }
        flow.Older = flow.Newer = NoSlot;
        _live--;
    }

    private void Touch(int slot, ref NatFlowState flow)
    {
        if (_newest != slot)
        {
            Unlink(ref flow);
            Link(slot, ref flow);
        }
    }
}
