namespace AzNf.NetworkFunctions.Firewall;

/// <summary>Bits of <see cref="ConntrackFlowState.Flags"/>.</summary>
[Flags]
public enum ConntrackFlags : byte
{
    None = 0,
    /// <summary>
    /// The connection's originator is the flow's endpoint B. The cached verdicts belong to this
    /// orientation: rules see source and destination, so the cache is cleared when it flips.
    /// </summary>
    OriginatorIsFlowB = 1,
    /// <summary>A valid packet from the responder was seen: the connection is established (iptables' ctstate).</summary>
    ReplySeen = 2,
    FinFromOriginator = 4,
    FinFromResponder = 8,
    /// <summary>The responder acknowledged the originator's FIN.</summary>
    OriginatorFinAcked = 16,
    /// <summary>The originator acknowledged the responder's FIN.</summary>
    ResponderFinAcked = 32,
}
