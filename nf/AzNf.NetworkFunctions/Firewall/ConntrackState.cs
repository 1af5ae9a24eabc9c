namespace AzNf.NetworkFunctions.Firewall;

/// <summary>
/// Where a tracked connection stands. The TCP states carry the names of Linux conntrack
/// (nf_conntrack_proto_tcp) so that an engineer can compare counters and timeouts directly;
/// UDP, ICMP echo and other protocols are pseudo-connections that are either unreplied or replied.
/// </summary>
public enum ConntrackState : byte
{
    /// <summary>No connection: nothing seen yet, expired, or the first packet was denied.</summary>
    None = 0,
    /// <summary>The originator's SYN was seen.</summary>
    SynSent,
    /// <summary>The responder's SYN-ACK (or a simultaneous-open SYN) was seen.</summary>
    SynRecv,
    /// <summary>The originator acknowledged the SYN-ACK: three-way handshake complete.</summary>
    Established,
    /// <summary>One side sent a FIN that the other has not acknowledged yet.</summary>
    FinWait,
    /// <summary>The first FIN was acknowledged; the other side may still send data (half-close).</summary>
    CloseWait,
    /// <summary>Both sides sent a FIN; waiting for the last one to be acknowledged.</summary>
    LastAck,
    /// <summary>Both FINs acknowledged; a new SYN on the same 5-tuple starts a new connection.</summary>
    TimeWait,
    /// <summary>Reset; a new SYN on the same 5-tuple starts a new connection.</summary>
    Close,
    UdpUnreplied,
    UdpReplied,
    IcmpUnreplied,
    IcmpReplied,
    /// <summary>Another protocol, an ICMP message other than echo, or a later fragment.</summary>
    OtherUnreplied,
    OtherReplied,
}
