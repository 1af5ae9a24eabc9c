using System.Runtime.CompilerServices;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// The conntrack state machine: moves a flow's <see cref="ConntrackFlowState"/> on one packet
/// and says which connection state the packet belongs to. TCP follows the states of Linux
/// nf_conntrack_proto_tcp, driven by SYN / SYN-ACK / ACK / FIN / RST per direction, with FINs
/// tracked per side and an ACK only closing a side when it acknowledges that side's FIN
/// (RFC 9293 §3.6). No sequence-window check is done (a documented limit, docs/firewall.md).
/// UDP, ICMP echo and other protocols are pseudo-connections: unreplied, then replied.
/// </summary>
public static class ConnectionTracker
{
    private enum TcpEvent : byte
    {
        Invalid,
        Syn,
        SynAck,
        Fin,
        Ack,
        Rst,
    }

    private const TcpFlags CoreFlags = TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin | TcpFlags.Rst;

    /// <summary>
    /// Updates <paramref name="state"/> for <paramref name="packet"/> and classifies it.
    /// An invalid packet leaves the state untouched. <paramref name="opensConnection"/> is true
    /// when this packet starts a new connection (first packet, or a SYN reusing a closed
    /// 5-tuple); the caller keeps the new connection only if the packet is allowed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ConnectionMatch Track(ref ConntrackFlowState state, in ParsedPacket packet, bool fromFlowA, long nowNanos, bool tcpPickup, out bool opensConnection)
    {
        opensConnection = false;
        ConnectionMatch match;
        if (packet.IsTcp && packet.HasTransport && !packet.IsLaterFragment)
        {
            match = TrackTcp(ref state, packet, fromFlowA, tcpPickup, ref opensConnection);
        }
        else if (packet.IsUdp && packet.HasTransport && !packet.IsLaterFragment)
        {
            match = TrackPseudo(ref state, fromFlowA, ConntrackState.UdpUnreplied, ConntrackState.UdpReplied, canOpen: true, ref opensConnection);
        }
        else if (IsEcho(packet, out bool request))
        {
            match = TrackPseudo(ref state, fromFlowA, ConntrackState.IcmpUnreplied, ConntrackState.IcmpReplied, canOpen: request, ref opensConnection);
        }
        else
        {
            match = TrackPseudo(ref state, fromFlowA, ConntrackState.OtherUnreplied, ConntrackState.OtherReplied, canOpen: true, ref opensConnection);
        }
        if (match != ConnectionMatch.Invalid)
        {
            state.LastSeenNanos = nowNanos;
        }
        return match;
    }

    private static bool IsEcho(in ParsedPacket packet, out bool request)
    {
        request = false;
        if (!packet.IsIcmp || !packet.HasTransport || packet.IsLaterFragment)
        {
            return false;
        }
        bool v4 = packet.Protocol == IpProtocol.Icmp;
        // ICMP echo 8/0 (RFC 792), ICMPv6 echo 128/129 (RFC 4443 §4).
        request = packet.IcmpType == (v4 ? 8 : 128);
        return request || packet.IcmpType == (v4 ? 0 : 129);
    }

    private static ConnectionMatch TrackPseudo(
        ref ConntrackFlowState state, bool fromFlowA, ConntrackState unreplied, ConntrackState replied, bool canOpen, ref bool opensConnection)
    {
        if (state.State == ConntrackState.None)
        {
            if (!canOpen)
            {
                return ConnectionMatch.Invalid; // an echo reply with no request
            }
            Open(ref state, fromFlowA, unreplied);
            opensConnection = true;
            return ConnectionMatch.New;
        }
        if (fromFlowA != state.OriginatorIsFlowB)
        {
            return Classify(state, fromOriginator: true);
        }
        state.State = replied;
        state.Flags |= ConntrackFlags.ReplySeen;
        return ConnectionMatch.Established;
    }

    private static ConnectionMatch TrackTcp(ref ConntrackFlowState state, in ParsedPacket packet, bool fromFlowA, bool tcpPickup, ref bool opensConnection)
    {
        var tcpEvent = EventOf(packet.TcpFlags);
        if (tcpEvent == TcpEvent.Invalid)
        {
            return ConnectionMatch.Invalid;
        }
        bool fromOriginator = fromFlowA != state.OriginatorIsFlowB;
        switch (state.State)
        {
            case ConntrackState.None:
                if (tcpEvent == TcpEvent.Syn || (tcpPickup && tcpEvent == TcpEvent.Ack))
                {
                    Open(ref state, fromFlowA, tcpEvent == TcpEvent.Syn ? ConntrackState.SynSent : ConntrackState.Established);
                    opensConnection = true;
                    return ConnectionMatch.New;
                }
                return ConnectionMatch.Invalid;

            case ConntrackState.SynSent:
                switch (tcpEvent)
                {
                    case TcpEvent.Syn when fromOriginator:
                        break; // retransmitted SYN
                    case TcpEvent.SynAck or TcpEvent.Syn when !fromOriginator:
                        state.State = ConntrackState.SynRecv; // SYN-ACK, or a simultaneous open's SYN
                        break;
                    case TcpEvent.Rst:
                        state.State = ConntrackState.Close;
                        break;
                    default:
                        return ConnectionMatch.Invalid;
                }
                break;

            case ConntrackState.SynRecv:
                switch (tcpEvent)
                {
                    case TcpEvent.Ack when fromOriginator:
                        state.State = ConntrackState.Established;
                        break;
                    case TcpEvent.Syn when fromOriginator:
                    case TcpEvent.SynAck:
                    case TcpEvent.Ack:
                        break; // retransmissions while the handshake completes
                    case TcpEvent.Fin:
                        Close(ref state, packet, fromOriginator);
                        break;
                    case TcpEvent.Rst:
                        state.State = ConntrackState.Close;
                        break;
                    default:
                        return ConnectionMatch.Invalid;
                }
                break;

            case ConntrackState.Established or ConntrackState.FinWait or ConntrackState.CloseWait or ConntrackState.LastAck:
                switch (tcpEvent)
                {
                    case TcpEvent.Ack or TcpEvent.Fin:
                        Close(ref state, packet, fromOriginator);
                        break;
                    case TcpEvent.Rst:
                        state.State = ConntrackState.Close;
                        break;
                    case TcpEvent.SynAck when !fromOriginator && state.State == ConntrackState.Established:
                        break; // the SYN-ACK again: the originator's final ACK was lost
                    default:
                        return ConnectionMatch.Invalid;
                }
                break;

            case ConntrackState.TimeWait or ConntrackState.Close:
                switch (tcpEvent)
                {
                    case TcpEvent.Syn:
                        // RFC 9293 §3.6.1 lets a SYN reopen a connection in TIME-WAIT; the 5-tuple is reused.
                        Open(ref state, fromFlowA, ConntrackState.SynSent);
                        opensConnection = true;
                        return ConnectionMatch.New;
                    case TcpEvent.Rst:
                        state.State = ConntrackState.Close;
                        break;
                    case TcpEvent.Ack or TcpEvent.Fin:
                        break; // stragglers and retransmissions of the close
                    default:
                        return ConnectionMatch.Invalid;
                }
                break;

            default:
                return ConnectionMatch.Invalid; // a pseudo-connection state on a TCP flow cannot happen
        }
        if (!fromOriginator)
        {
            state.Flags |= ConntrackFlags.ReplySeen;
        }
        return Classify(state, fromOriginator);
    }

    /// <summary>Records a FIN and the acknowledgement of the other side's FIN, then derives the closing state.</summary>
    private static void Close(ref ConntrackFlowState state, in ParsedPacket packet, bool fromOriginator)
    {
        var ownFin = fromOriginator ? ConntrackFlags.FinFromOriginator : ConntrackFlags.FinFromResponder;
        var otherFin = fromOriginator ? ConntrackFlags.FinFromResponder : ConntrackFlags.FinFromOriginator;
        var otherAcked = fromOriginator ? ConntrackFlags.ResponderFinAcked : ConntrackFlags.OriginatorFinAcked;

        if ((packet.TcpFlags & TcpFlags.Ack) != 0 && state.Has(otherFin))
        {
            uint otherFinEnd = fromOriginator ? state.FinEndResponder : state.FinEndOriginator;
            if ((int)(packet.TcpAcknowledgment - otherFinEnd) >= 0)
            {
                state.Flags |= otherAcked;
            }
        }
        if ((packet.TcpFlags & TcpFlags.Fin) != 0 && !state.Has(ownFin))
        {
            // The FIN occupies one sequence number after the segment's data (RFC 9293 §3.4).
            uint finEnd = packet.TcpSequence + (uint)packet.PayloadLength + 1;
            if (fromOriginator)
            {
                state.FinEndOriginator = finEnd;
            }
            else
            {
                state.FinEndResponder = finEnd;
            }
            state.Flags |= ownFin;
        }

        bool originatorFin = state.Has(ConntrackFlags.FinFromOriginator);
        bool responderFin = state.Has(ConntrackFlags.FinFromResponder);
        bool originatorAcked = state.Has(ConntrackFlags.OriginatorFinAcked);
        bool responderAcked = state.Has(ConntrackFlags.ResponderFinAcked);
        if (originatorFin && responderFin)
        {
            state.State = originatorAcked && responderAcked ? ConntrackState.TimeWait : ConntrackState.LastAck;
        }
        else if (originatorFin || responderFin)
        {
            state.State = (originatorFin ? originatorAcked : responderAcked) ? ConntrackState.CloseWait : ConntrackState.FinWait;
        }
    }

    private static void Open(ref ConntrackFlowState state, bool fromFlowA, ConntrackState first)
    {
        var orientation = fromFlowA ? ConntrackFlags.None : ConntrackFlags.OriginatorIsFlowB;
        if ((state.Flags & ConntrackFlags.OriginatorIsFlowB) != orientation)
        {
            // The cached verdicts were decided for the other direction's source and destination.
            state.VerdictNew = state.VerdictOriginatorEstablished = state.VerdictResponderEstablished = 0;
        }
        state.Flags = orientation;
        state.FinEndOriginator = state.FinEndResponder = 0;
        state.State = first;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ConnectionMatch Classify(in ConntrackFlowState state, bool fromOriginator) =>
        fromOriginator && !state.Has(ConntrackFlags.ReplySeen) ? ConnectionMatch.New : ConnectionMatch.Established;

    /// <summary>
    /// The flag combinations a TCP stack sends (Linux tcp_valid_flags, ignoring PSH/URG/ECE/CWR);
    /// anything else (null, SYN+FIN, FIN without ACK, SYN+RST...) is a scan or a bug: invalid.
    /// </summary>
    private static TcpEvent EventOf(TcpFlags flags) => (flags & CoreFlags) switch
    {
        TcpFlags.Syn => TcpEvent.Syn,
        TcpFlags.Syn | TcpFlags.Ack => TcpEvent.SynAck,
        TcpFlags.Fin | TcpFlags.Ack => TcpEvent.Fin,
        TcpFlags.Ack => TcpEvent.Ack,
        TcpFlags.Rst or (TcpFlags.Rst | TcpFlags.Ack) => TcpEvent.Rst,
        _ => TcpEvent.Invalid,
    };
}
