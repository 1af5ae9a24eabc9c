using AzNf.NetworkFunctions.Chain;
using AzNf.Packets.Parsing;

namespace AzNf.NetworkFunctions;

/// <summary>
/// What the engine saw of a TCP connection, independent of any NF: it picks the idle timeout,
/// tells when a new SYN on the same 5-tuple starts a new connection, and when a connection is over.
/// </summary>
[Flags]
public enum TcpLifecycle : byte
{
    None = 0,
    SynFromA = 1,
    SynAckFromB = 2,
    Established = 4,
    FinFromA = 8,
    FinFromB = 16,
    Reset = 32,
}

/// <summary>
/// The one place that decides where a TCP connection is in its life (the engine's flow table,
/// its timeouts and 5-tuple reuse, and the durable path's flow-granularity hold all ask here).
/// Direction-aware: a FIN counts once per side, so a retransmitted FIN never closes a connection.
/// The firewall's conntrack is the firewall's own, stricter view (sequence-checked) and is not this.
/// </summary>
public static class TcpConnection
{
    /// <summary>Moves <paramref name="life"/> on one packet from endpoint A (<paramref name="fromA"/>) or B.</summary>
    public static void Track(ref TcpLifecycle life, TcpFlags flags, bool fromA)
    {
        if ((flags & TcpFlags.Rst) != 0)
        {
            life |= TcpLifecycle.Reset;
        }
        if ((flags & TcpFlags.Fin) != 0)
        {
            life |= fromA ? TcpLifecycle.FinFromA : TcpLifecycle.FinFromB;
        }
        var handshake = flags & (TcpFlags.Syn | TcpFlags.Ack);
        if (handshake == TcpFlags.Syn && fromA)
        {
            life |= TcpLifecycle.SynFromA;
        }
        else if (handshake == (TcpFlags.Syn | TcpFlags.Ack) && !fromA)
        {
            life |= TcpLifecycle.SynAckFromB;
        }
        else if ((flags & TcpFlags.Ack) != 0 && fromA && (life & TcpLifecycle.SynAckFromB) != 0)
        {
            life |= TcpLifecycle.Established;
        }
    }

    /// <summary>Over: reset, or a FIN from each side.</summary>
    public static bool IsClosed(TcpLifecycle life) =>
        (life & TcpLifecycle.Reset) != 0 || (life & (TcpLifecycle.FinFromA | TcpLifecycle.FinFromB)) == (TcpLifecycle.FinFromA | TcpLifecycle.FinFromB);

    /// <summary>
    /// A bare SYN after the previous connection on this 5-tuple closed starts a new connection: the
    /// report lists it as a second flow, like Suricata does.
    /// </summary>
    public static bool StartsNewConnection(TcpLifecycle life, TcpFlags flags) =>
        (flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn && IsClosed(life);

    /// <summary>The idle-timeout class of a flow of <paramref name="protocol"/> in <paramref name="life"/>.</summary>
    public static FlowTimeoutClass TimeoutClass(byte protocol, TcpLifecycle life) => protocol switch
    {
        IpProtocol.Tcp when IsClosed(life) => FlowTimeoutClass.TcpClosed,
        IpProtocol.Tcp => (life & TcpLifecycle.Established) != 0 ? FlowTimeoutClass.TcpEstablished : FlowTimeoutClass.TcpNew,
        IpProtocol.Udp => FlowTimeoutClass.Udp,
        IpProtocol.Icmp or IpProtocol.IcmpV6 => FlowTimeoutClass.Icmp,
        _ => FlowTimeoutClass.Other,
    };
}
