using System.Runtime.InteropServices;

namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// The firewall's per-flow connection tracking state, stored inline in the flow table
/// (24 bytes: the flow table's memory budget is per flow). It holds the TCP state, which side
/// opened the current connection, which FINs were seen and acknowledged, when the connection
/// was last active, and the cached rule decisions so the rule list runs once per connection
/// and packet class rather than per packet.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct ConntrackFlowState
{
    /// <summary>Timestamp of the last valid packet; the idle timeout of <see cref="State"/> counts from here.</summary>
    public long LastSeenNanos;

    /// <summary>Sequence number just past the originator's FIN (seq + payload + 1), valid when <see cref="ConntrackFlags.FinFromOriginator"/>.</summary>
    public uint FinEndOriginator;

    /// <summary>Sequence number just past the responder's FIN, valid when <see cref="ConntrackFlags.FinFromResponder"/>.</summary>
    public uint FinEndResponder;

    /// <summary>Cached decision for the originator's packets while the connection is new: rule slot + 1, 0 = not yet evaluated.</summary>
    public ushort VerdictNew;

    /// <summary>Cached decision for the originator's packets once established: rule slot + 1, 0 = not yet evaluated.</summary>
    public ushort VerdictOriginatorEstablished;

    /// <summary>Cached decision for the responder's packets (always established): rule slot + 1, 0 = not yet evaluated.</summary>
    public ushort VerdictResponderEstablished;

    public ConntrackState State;

    public ConntrackFlags Flags;

    /// <summary>True when the current connection was opened by the flow's endpoint B (e.g. a new connection after TIME_WAIT in the other direction).</summary>
    public readonly bool OriginatorIsFlowB => (Flags & ConntrackFlags.OriginatorIsFlowB) != 0;

    public readonly bool Has(ConntrackFlags flag) => (Flags & flag) != 0;
}
