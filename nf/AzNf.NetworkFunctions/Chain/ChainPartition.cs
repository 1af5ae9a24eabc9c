using System.Runtime.CompilerServices;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Chain;

/// <summary>
/// One partition of a chain: an ordered stream of packets, its own flow table and its own NF
/// instances. Every packet of a flow reaches the same partition, so nothing here is shared
/// between threads. The same class runs a packet for the embedded engine, the benchmarks and
/// (later) a durable activity.
/// </summary>
public sealed class ChainPartition
{
    private readonly INetworkFunction[] _stages;
    private readonly FlowTable _flows;
    private readonly int _maxFlowRecords;
    private readonly List<FlowRecord> _finished = [];
    private FlowState _scratch;

    public ChainPartition(ChainDefinition chain, int index)
    {
        Index = index;
        Alerts = new AlertLog();
        var resources = new PartitionResources(index, Alerts);
        _stages = chain.Stages.Select(s => s.CreateInstance(resources)).ToArray();
        StageCounters = new StageCounters[_stages.Length];
        _maxFlowRecords = chain.MaxReportFlows;
        _flows = new FlowTable(chain.FlowTable, OnFlowEnd);
    }

    public int Index { get; }
    public AlertLog Alerts { get; }
    public IReadOnlyList<INetworkFunction> Stages => _stages;
    public StageCounters[] StageCounters { get; }
    public FlowTable Flows => _flows;
    public IReadOnlyList<FlowRecord> FinishedFlows => _finished;
    public long FlowRecordsOmitted { get; private set; }
    public long FlowsReused { get; private set; }
    public long Packets { get; private set; }
    public long Bytes { get; private set; }
    public long Forwarded { get; private set; }
    public long Dropped { get; private set; }
    public long[] UnparsedByReason { get; } = new long[MalformedReasons.Count];
    public Dictionary<string, long> DropsByReason { get; } = new(StringComparer.Ordinal);

    /// <summary>Runs one packet through the chain and returns the final verdict.</summary>
    public Verdict Process(ReadOnlySpan<byte> frame, in ParsedPacket parsed, MalformedReason malformed, int wireLength, long timestampNanos, long index)
    {
        var packet = new PacketContext
        {
            Frame = frame,
            Packet = parsed,
            Malformed = malformed,
            WireLength = wireLength,
            TimestampNanos = timestampNanos,
            Index = index,
        };
        Packets++;
        Bytes += wireLength;
        if (!packet.IsParsed)
        {
            UnparsedByReason[(int)malformed]++;
            _scratch = default;
            return RunStages(ref packet, ref _scratch);
        }

        var key = FlowKey.From(packet.Packet, out bool sourceIsLower);
        int slot = _flows.FindOrAdd(key, timestampNanos, out bool created);
        if (!created && StartsNewConnection(ref _flows[slot], packet.Packet))
        {
            FlowsReused++;
            _flows.Remove(slot, FlowEndReason.Reused);
            slot = _flows.FindOrAdd(key, timestampNanos, out created);
        }

        ref var flow = ref _flows[slot];
        if (created)
        {
            flow.OriginatorIsLower = sourceIsLower;
            flow.FirstPacketIndex = index;
        }
        packet.Direction = sourceIsLower == flow.OriginatorIsLower ? FlowDirection.AToB : FlowDirection.BToA;
        var timeoutClass = TrackLifecycle(ref flow, packet.Packet, packet.Direction);
        _flows.Touch(slot, timestampNanos, timeoutClass);
        return RunStages(ref packet, ref flow);
    }

    /// <summary>Ends every live flow (end of run) so that each appears in <see cref="FinishedFlows"/>.</summary>
    public void Finish() => _flows.RemoveAll(FlowEndReason.EndOfRun);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Verdict RunStages(ref PacketContext packet, ref FlowState flow)
    {
        var stages = _stages;
        for (int i = 0; i < stages.Length; i++)
        {
            ref var counters = ref StageCounters[i];
            counters.PacketsIn++;
            var verdict = stages[i].Process(ref packet, ref flow);
            if (verdict.IsDrop)
            {
                counters.Drops++;
                Dropped++;
                string reason = verdict.Reason ?? stages[i].GetType().Name;
                DropsByReason[reason] = DropsByReason.GetValueOrDefault(reason) + 1;
                return verdict;
            }
            counters.PacketsOut++;
        }
        Forwarded++;
        return Verdict.Forward;
    }

    // A bare SYN after the previous connection on this 5-tuple closed (both FINs or a RST)
    // starts a new connection: the report lists it as a second flow, like Suricata does.
    private static bool StartsNewConnection(ref FlowState flow, in ParsedPacket packet)
    {
        if (!packet.IsTcp || (packet.TcpFlags & (TcpFlags.Syn | TcpFlags.Ack)) != TcpFlags.Syn)
        {
            return false;
        }
        var closed = flow.Tcp & (TcpLifecycle.Reset | TcpLifecycle.FinFromA | TcpLifecycle.FinFromB);
        return (closed & TcpLifecycle.Reset) != 0 || closed == (TcpLifecycle.FinFromA | TcpLifecycle.FinFromB);
    }

    private static FlowTimeoutClass TrackLifecycle(ref FlowState flow, in ParsedPacket packet, FlowDirection direction)
    {
        if (!packet.IsTcp)
        {
            return packet.Protocol switch
            {
                IpProtocol.Udp => FlowTimeoutClass.Udp,
                IpProtocol.Icmp or IpProtocol.IcmpV6 => FlowTimeoutClass.Icmp,
                _ => FlowTimeoutClass.Other,
            };
        }
        var flags = packet.TcpFlags;
        bool fromA = direction == FlowDirection.AToB;
        if ((flags & TcpFlags.Rst) != 0)
        {
            flow.Tcp |= TcpLifecycle.Reset;
        }
        if ((flags & TcpFlags.Fin) != 0)
        {
            flow.Tcp |= fromA ? TcpLifecycle.FinFromA : TcpLifecycle.FinFromB;
        }
        if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn && fromA)
        {
            flow.Tcp |= TcpLifecycle.SynFromA;
        }
        else if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == (TcpFlags.Syn | TcpFlags.Ack) && !fromA)
        {
            flow.Tcp |= TcpLifecycle.SynAckFromB;
        }
        else if ((flags & TcpFlags.Ack) != 0 && fromA && (flow.Tcp & TcpLifecycle.SynAckFromB) != 0)
        {
            flow.Tcp |= TcpLifecycle.Established;
        }

        if ((flow.Tcp & TcpLifecycle.Reset) != 0 || (flow.Tcp & (TcpLifecycle.FinFromA | TcpLifecycle.FinFromB)) == (TcpLifecycle.FinFromA | TcpLifecycle.FinFromB))
        {
            return FlowTimeoutClass.TcpClosed;
        }
        return (flow.Tcp & TcpLifecycle.Established) != 0 ? FlowTimeoutClass.TcpEstablished : FlowTimeoutClass.TcpNew;
    }

    private void OnFlowEnd(ref FlowState flow, FlowEndReason reason)
    {
        foreach (var stage in _stages)
        {
            stage.OnFlowEnd(ref flow);
        }
        if (_finished.Count < _maxFlowRecords)
        {
            _finished.Add(FlowRecord.From(ref flow, reason));
        }
        else
        {
            FlowRecordsOmitted++;
        }
    }
}

/// <summary>Packets into and out of one stage, and its drops.</summary>
public struct StageCounters
{
    public long PacketsIn;
    public long PacketsOut;
    public long Drops;
}
