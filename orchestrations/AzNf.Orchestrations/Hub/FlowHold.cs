using AzNf.NetworkFunctions;
using AzNf.Orchestrations.Models;
using AzNf.Packets.Flows;
using AzNf.Packets.Parsing;

namespace AzNf.Orchestrations.Hub;

/// <summary>
/// Flow granularity: one partition's units held per flow until the flow's TCP connection is over
/// (<see cref="TcpConnection.IsClosed"/>: a RST, or a FIN from each side — a retransmitted FIN
/// from one side is not a close), then released as one unit. Flows that never close (UDP, a
/// connection still open) come out with <see cref="ReleaseAll"/> when the partition ends.
/// </summary>
internal sealed class FlowHold
{
    private readonly Dictionary<string, Held> _held = new(StringComparer.Ordinal);

    /// <summary>Flows held now.</summary>
    public int Count => _held.Count;

    /// <summary>
    /// Adds <paramref name="unit"/> to what is held for its flow; returns the whole flow as one
    /// unit once its connection is over, otherwise a unit without packets.
    /// </summary>
    public ChainWorkUnit HoldOrRelease(ChainWorkUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (_held.TryGetValue(unit.FlowKey, out var held))
        {
            // The latest unit's rule versions and last sequence number, the whole flow's packets.
            held.Unit = unit with { FirstSequenceNumber = held.Unit.FirstSequenceNumber, Packets = [.. held.Unit.Packets, .. unit.Packets] };
        }
        else
        {
            held = new Held { Unit = unit };
            _held[unit.FlowKey] = held;
        }
        foreach (var packet in unit.Packets)
        {
            if (PacketParser.Parse(packet.LinkType, packet.Frame, out var parsed) != MalformedReason.None || !parsed.IsTcp)
            {
                continue;
            }
            FlowKey.From(parsed, out bool sourceIsLower);
            // Endpoint A is whoever sent the first TCP packet held for the flow.
            held.OriginatorIsLower ??= sourceIsLower;
            TcpConnection.Track(ref held.Life, parsed.TcpFlags, sourceIsLower == held.OriginatorIsLower);
        }
        if (!TcpConnection.IsClosed(held.Life))
        {
            return unit with { Packets = [] };
        }
        _held.Remove(unit.FlowKey);
        return held.Unit;
    }

    /// <summary>Everything still held (the partition ends or is handed over).</summary>
    public List<ChainWorkUnit> ReleaseAll()
    {
        var all = _held.Values.Select(h => h.Unit).ToList();
        _held.Clear();
        return all;
    }

    private sealed class Held
    {
        public required ChainWorkUnit Unit;
        public bool? OriginatorIsLower;
        public TcpLifecycle Life;
    }
}
